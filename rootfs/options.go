package rootfs

import (
	"fmt"
	"strings"

	"golang.org/x/sys/unix"
)

// MountOptions is an OCI mount's option list split into what the kernel
// takes as flags and what is filesystem data.
type MountOptions struct {
	Bind, Recursive bool
	ReadOnly        bool
	// Attrs are the MOUNT_ATTR_* flags (for binds, set with mount_setattr
	// on the bind's own mount, as runc does for "ro", "nosuid", ...).
	Attrs uint64
	// RecursiveAttrs are those of the recursive forms ("rro", "rnosuid",
	// ...): set on every mount of a bind's tree.
	RecursiveAttrs uint64
	// Flags are the MS_* flags (for new mounts made with mount(2)).
	Flags uintptr
	// Data is the comma-joined filesystem-specific rest.
	Data []string
	// Idmap is set when the spec asks for an idmapped mount itself.
	Idmap bool
}

type optionEffect struct {
	attrSet, attrClear uint64
	flagSet, flagClear uintptr
}

var knownOptions = map[string]optionEffect{
	"ro":            {attrSet: unix.MOUNT_ATTR_RDONLY, flagSet: unix.MS_RDONLY},
	"rw":            {attrClear: unix.MOUNT_ATTR_RDONLY, flagClear: unix.MS_RDONLY},
	"nosuid":        {attrSet: unix.MOUNT_ATTR_NOSUID, flagSet: unix.MS_NOSUID},
	"suid":          {attrClear: unix.MOUNT_ATTR_NOSUID, flagClear: unix.MS_NOSUID},
	"nodev":         {attrSet: unix.MOUNT_ATTR_NODEV, flagSet: unix.MS_NODEV},
	"dev":           {attrClear: unix.MOUNT_ATTR_NODEV, flagClear: unix.MS_NODEV},
	"noexec":        {attrSet: unix.MOUNT_ATTR_NOEXEC, flagSet: unix.MS_NOEXEC},
	"exec":          {attrClear: unix.MOUNT_ATTR_NOEXEC, flagClear: unix.MS_NOEXEC},
	"noatime":       {attrSet: unix.MOUNT_ATTR_NOATIME, flagSet: unix.MS_NOATIME},
	"atime":         {attrClear: unix.MOUNT_ATTR_NOATIME, flagClear: unix.MS_NOATIME},
	"nodiratime":    {attrSet: unix.MOUNT_ATTR_NODIRATIME, flagSet: unix.MS_NODIRATIME},
	"diratime":      {attrClear: unix.MOUNT_ATTR_NODIRATIME, flagClear: unix.MS_NODIRATIME},
	"relatime":      {flagSet: unix.MS_RELATIME},
	"norelatime":    {flagClear: unix.MS_RELATIME},
	"strictatime":   {attrSet: unix.MOUNT_ATTR_STRICTATIME, flagSet: unix.MS_STRICTATIME},
	"nostrictatime": {flagClear: unix.MS_STRICTATIME},
	"sync":          {flagSet: unix.MS_SYNCHRONOUS},
	"async":         {flagClear: unix.MS_SYNCHRONOUS},
	"dirsync":       {flagSet: unix.MS_DIRSYNC},
	"lazytime":      {flagSet: unix.MS_LAZYTIME},
	"nolazytime":    {flagClear: unix.MS_LAZYTIME},
	"mand":          {flagSet: unix.MS_MANDLOCK},
	"nomand":        {flagClear: unix.MS_MANDLOCK},
	"silent":        {flagSet: unix.MS_SILENT},
	"loud":          {flagClear: unix.MS_SILENT},
	"nosymfollow":   {attrSet: unix.MOUNT_ATTR_NOSYMFOLLOW, flagSet: unix.MS_NOSYMFOLLOW},
	"symfollow":     {attrClear: unix.MOUNT_ATTR_NOSYMFOLLOW, flagClear: unix.MS_NOSYMFOLLOW},
	"defaults":      {},
}

// recursiveOptions are the recursive forms of the attribute options
// (runc's "rro", "rnosuid", ...; containerd 2.x asks for "rro" on
// read-only volumes): the attribute for the whole tree of a bind, where the
// plain form is for the bind's own mount only (submounts of an "rbind,ro"
// volume stay as they are, as under runc). A new mount (not a bind) has no
// tree, and both forms mean the same.
var recursiveOptions = map[string]string{
	"rro": "ro", "rrw": "rw", "rnosuid": "nosuid", "rsuid": "suid", "rnodev": "nodev", "rdev": "dev",
	"rnoexec": "noexec", "rexec": "exec", "rnoatime": "noatime", "ratime": "atime",
	"rnodiratime": "nodiratime", "rdiratime": "diratime", "rrelatime": "relatime", "rnorelatime": "norelatime",
	"rstrictatime": "strictatime", "rnostrictatime": "nostrictatime", "rnosymfollow": "nosymfollow", "rsymfollow": "symfollow",
}

// Propagation options only matter for the engine's own view; pre-mounted
// trees end up private copies in the container's mount namespace.
var propagationOptions = map[string]bool{
	"private": true, "rprivate": true, "shared": true, "rshared": true,
	"slave": true, "rslave": true, "unbindable": true, "runbindable": true,
}

// ParseOptions splits an OCI option list.
func ParseOptions(options []string) (MountOptions, error) {
	var o MountOptions
	for _, opt := range options {
		switch {
		case opt == "bind":
			o.Bind = true
		case opt == "rbind":
			o.Bind, o.Recursive = true, true
		case opt == "idmap" || opt == "ridmap":
			o.Idmap = true
		case propagationOptions[opt]:
		case opt == "":
			return o, fmt.Errorf("empty mount option")
		default:
			base, recursive := recursiveOptions[opt]
			if recursive {
				opt = base
			}
			eff, ok := knownOptions[opt]
			if !ok {
				if strings.ContainsAny(opt, "\x00") {
					return o, fmt.Errorf("mount option %q contains a NUL byte", opt)
				}
				o.Data = append(o.Data, opt)
				continue
			}
			if recursive {
				o.RecursiveAttrs = (o.RecursiveAttrs &^ eff.attrClear) | eff.attrSet
			} else {
				o.Attrs = (o.Attrs &^ eff.attrClear) | eff.attrSet
			}
			o.Flags = (o.Flags &^ eff.flagClear) | eff.flagSet
		}
	}
	o.ReadOnly = (o.Attrs|o.RecursiveAttrs)&unix.MOUNT_ATTR_RDONLY != 0
	return o, nil
}
