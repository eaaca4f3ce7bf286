package seccomp

import (
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// kernelKind is mount(2)'s own dispatch (path_mount in fs/namespace.c):
// first the historical magic number is dropped from the flags
// ((flags & MS_MGC_MSK) == MS_MGC_VAL), then REMOUNT|BIND, REMOUNT, BIND,
// propagation, MOVE, and else a new mount.
func kernelKind(flags uint64) mountKind {
	if flags&unix.MS_MGC_MSK == unix.MS_MGC_VAL {
		flags &^= unix.MS_MGC_MSK
	}
	remount := flags&unix.MS_REMOUNT != 0
	bind := flags&unix.MS_BIND != 0
	if remount && bind {
		return kindReconfigure
	}
	if remount {
		return kindRemount
	}
	if bind {
		return kindBind
	}
	if flags&(unix.MS_SHARED|unix.MS_PRIVATE|unix.MS_SLAVE|unix.MS_UNBINDABLE) != 0 {
		return kindPropagation
	}
	if flags&unix.MS_MOVE != 0 {
		return kindMove
	}
	return kindNew
}

// FuzzMountDecode feeds arbitrary mount(2) flags and data to the decoders
// the supervisor and the helper use: none may panic, the kind must be what
// the kernel will do with the same flags, and the options must be the
// non-empty comma-separated pieces of the data.
// The seeds are in testdata/fuzz/FuzzMountDecode.
func FuzzMountDecode(f *testing.F) {
	f.Fuzz(func(t *testing.T, flags uint64, data string) {
		k := kindOf(flags)
		if k < kindReconfigure || k > kindNew {
			t.Fatalf("kindOf(%#x) = %d, not a kind", flags, k)
		}
		_ = k.String()
		if want := kernelKind(flags); k != want {
			t.Fatalf("kindOf(%#x) = %s, but the kernel does %s with these flags", flags, k, want)
		}
		switch {
		case flags&unix.MS_REMOUNT != 0 && flags&unix.MS_BIND != 0:
			if k != kindReconfigure {
				t.Fatalf("kindOf(%#x) = %s, want reconfigure", flags, k)
			}
		case flags&unix.MS_REMOUNT != 0:
			if k != kindRemount {
				t.Fatalf("kindOf(%#x) = %s, want remount", flags, k)
			}
		}

		w := wantRestrictions(flags)
		if w.ReadOnly != (flags&unix.MS_RDONLY != 0) || w.NoSuid != (flags&unix.MS_NOSUID != 0) ||
			w.NoDev != (flags&unix.MS_NODEV != 0) || w.NoExec != (flags&unix.MS_NOEXEC != 0) {
			t.Fatalf("wantRestrictions(%#x) = %+v", flags, w)
		}

		a := mountAttrs(flags)
		known := uint64(unix.MOUNT_ATTR_RDONLY | unix.MOUNT_ATTR_NOSUID | unix.MOUNT_ATTR_NODEV | unix.MOUNT_ATTR_NOEXEC |
			unix.MOUNT_ATTR_NOATIME | unix.MOUNT_ATTR_STRICTATIME | unix.MOUNT_ATTR_NODIRATIME)
		if a&^known != 0 {
			t.Fatalf("mountAttrs(%#x) = %#x has unknown bits", flags, a)
		}
		if a&unix.MOUNT_ATTR_NOATIME != 0 && a&unix.MOUNT_ATTR_STRICTATIME != 0 {
			t.Fatalf("mountAttrs(%#x) = %#x asks for two atime modes", flags, a)
		}
		if (a&unix.MOUNT_ATTR_RDONLY != 0) != w.ReadOnly || (a&unix.MOUNT_ATTR_NOSUID != 0) != w.NoSuid ||
			(a&unix.MOUNT_ATTR_NODEV != 0) != w.NoDev || (a&unix.MOUNT_ATTR_NOEXEC != 0) != w.NoExec {
			t.Fatalf("mountAttrs(%#x) = %#x disagrees with wantRestrictions %+v", flags, a, w)
		}

		seen := map[string]bool{}
		for _, n := range superblockFlags(flags) {
			if seen[n] {
				t.Fatalf("superblockFlags(%#x): %q twice", flags, n)
			}
			seen[n] = true
		}
		if seen["ro"] != w.ReadOnly {
			t.Fatalf("superblockFlags(%#x) = %v, read-only %v", flags, superblockFlags(flags), w.ReadOnly)
		}

		opts := splitOptions(data)
		var kept []string
		for _, o := range opts {
			if o == "" {
				t.Fatalf("splitOptions(%q) = %q: an empty option", data, opts)
			}
			if strings.Contains(o, ",") {
				t.Fatalf("splitOptions(%q) = %q: an option with a comma", data, opts)
			}
		}
		for _, o := range strings.Split(data, ",") {
			if o != "" {
				kept = append(kept, o)
			}
		}
		if got, want := strings.Join(opts, ","), strings.Join(kept, ","); got != want {
			t.Fatalf("splitOptions(%q) joined = %q, want %q", data, got, want)
		}
		if got, want := strings.Join(opts, ","), strings.Trim(collapseCommas(data), ","); got != want {
			t.Fatalf("splitOptions(%q) joined = %q, want %q", data, got, want)
		}
	})
}

// collapseCommas replaces every run of commas with one.
func collapseCommas(s string) string {
	var b strings.Builder
	prev := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ',' && prev {
			continue
		}
		prev = c == ','
		b.WriteByte(c)
	}
	return b.String()
}
