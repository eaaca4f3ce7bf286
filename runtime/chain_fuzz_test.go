package runtime

import (
	"errors"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/sysbox-lite/sysbox-lite/audit"
	"github.com/sysbox-lite/sysbox-lite/config"
	"github.com/sysbox-lite/sysbox-lite/confine"
	"github.com/sysbox-lite/sysbox-lite/rootfs"
)

// fuzzMasked are paths every transformed spec masks.
var fuzzMasked = []string{"/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
	"/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware",
	"/sys/kernel/security", "/sys/kernel/debug", "/sys/kernel/tracing", "/sys/kernel/config"}

// fuzzReadonly are paths every transformed spec makes read-only.
var fuzzReadonly = []string{"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sysrq-trigger"}

// plainError says whether msg reads like one of ours: "sysbox-lite: ..." or
// a lowercase start.
func plainError(msg string) bool {
	if strings.HasPrefix(msg, "sysbox-lite:") {
		return true
	}
	r, _ := utf8.DecodeRuneInString(msg)
	return msg != "" && !unicode.IsUpper(r)
}

// FuzzSpecChain feeds arbitrary bytes to what create does with a bundle's
// config.json before it mounts anything: DecodeSpec, then DefaultChain with
// a fixed range on a fake host (as the golden tests do), then the mount
// plan. No panic; a refusal is a *confine.Refusal or a plain error; and a
// spec the chain accepts is confined: its own user namespace mapping
// exactly the range, no host root, the mount traps in its seccomp profile,
// only allowed devices, the masks in place. The seeds (in
// testdata/fuzz/FuzzSpecChain) are engine specs from testdata.
func FuzzSpecChain(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		spec, err := DecodeSpec(data)
		if err != nil {
			if spec != nil {
				t.Fatalf("DecodeSpec returned a spec with error %v", err)
			}
			if !strings.HasPrefix(err.Error(), "invalid config: ") && !strings.HasPrefix(err.Error(), "config is larger than") {
				t.Fatalf("DecodeSpec error %q", err)
			}
			return
		}
		var events audit.Memory
		err = DefaultChain(goldenRange, config.Default(), audit.ForContainer(&events, "fuzz", nil), goldenHost,
			"/run/sysbox-lite/KEY/seccomp.sock", goldenEmulation).Modify(spec)
		if err != nil {
			var refusal *confine.Refusal
			if !errors.As(err, &refusal) && !plainError(err.Error()) {
				t.Fatalf("chain error is neither a refusal nor a plain error: %q", err)
			}
			return
		}

		// The user namespace: its own, mapping exactly the range.
		userns := 0
		for _, ns := range spec.Linux.Namespaces {
			if ns.Type == specs.UserNamespace {
				userns++
				if ns.Path != "" {
					t.Fatalf("user namespace joined at %q", ns.Path)
				}
			}
		}
		if userns != 1 {
			t.Fatalf("%d user namespaces: %+v", userns, spec.Linux.Namespaces)
		}
		want := specs.LinuxIDMapping{ContainerID: 0, HostID: goldenRange.UID, Size: goldenRange.Size}
		for what, maps := range map[string][]specs.LinuxIDMapping{"uid": spec.Linux.UIDMappings, "gid": spec.Linux.GIDMappings} {
			if len(maps) != 1 || maps[0] != want {
				t.Fatalf("%s mappings %+v, want only %+v", what, maps, want)
			}
			for _, m := range maps {
				if m.HostID == 0 { // [HostID, HostID+Size) holds host root only from 0
					t.Fatalf("%s mapping %+v maps host root", what, m)
				}
			}
		}

		// The mount traps.
		sc := spec.Linux.Seccomp
		if sc == nil {
			t.Fatal("no seccomp profile")
		}
		trapped := false
		for _, r := range sc.Syscalls {
			if r.Action == specs.ActNotify && contains(r.Names, "mount") && contains(r.Names, "umount2") && contains(r.Names, "umount") {
				trapped = true
			}
		}
		if !trapped {
			t.Fatalf("no notify rule for mount, umount2 and umount: %+v", sc.Syscalls)
		}
		if sc.ListenerPath != "/run/sysbox-lite/KEY/seccomp.sock" {
			t.Fatalf("listener %q", sc.ListenerPath)
		}

		// Only allowed devices, with their own numbers.
		for _, d := range spec.Linux.Devices {
			if strings.HasPrefix(d.Path, "/dev/pts/") && d.Path != "/dev/pts/ptmx" {
				if (d.Type != "c" && d.Type != "u") || d.Major < 136 || d.Major > 143 {
					t.Fatalf("device %s is not a pty: %s %d:%d", d.Path, d.Type, d.Major, d.Minor)
				}
				continue
			}
			typ := d.Type
			if typ == "u" {
				typ = "c"
			}
			got := numbers(typ, &d.Major, &d.Minor)
			if d.Path == "/dev/pts/ptmx" {
				if got != "c 5:2" {
					t.Fatalf("device %s: %s", d.Path, got)
				}
				continue
			}
			if w, ok := exposedDevices[d.Path]; !ok || w != got {
				t.Fatalf("device %s (%s) is not allowed", d.Path, got)
			}
		}

		// The masks.
		for _, p := range fuzzMasked {
			if !contains(spec.Linux.MaskedPaths, p) {
				t.Fatalf("%s is not masked: %q", p, spec.Linux.MaskedPaths)
			}
		}
		for _, p := range fuzzReadonly {
			if !contains(spec.Linux.ReadonlyPaths, p) {
				t.Fatalf("%s is not read-only: %q", p, spec.Linux.ReadonlyPaths)
			}
		}

		// The mount plan of what is left.
		if _, err := rootfs.NewPlan(spec.Mounts); err != nil && !plainError(err.Error()) {
			t.Fatalf("mount plan error %q", err)
		}
	})
}
