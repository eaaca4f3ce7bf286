package confine

import (
	"path"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// maskedPaths are hidden in every container (the engine mounts /dev/null
// or an empty read-only tmpfs over them): docker's defaults, plus the kernel's
// security, debug, tracing and configfs directories under /sys.
var maskedPaths = []string{
	"/proc/asound",
	"/proc/acpi",
	"/proc/kcore",
	"/proc/keys",
	"/proc/latency_stats",
	"/proc/timer_list",
	"/proc/timer_stats",
	"/proc/sched_debug",
	"/proc/scsi",
	"/sys/firmware",
	"/sys/kernel/security",
	"/sys/kernel/debug",
	"/sys/kernel/tracing",
	"/sys/kernel/config",
}

// readonlyPaths are read-only in every container: docker's defaults except
// /proc/sys.
//
// /proc/sys is deliberately not forced read-only. Inside the container's own
// user namespace the kernel lets its root write only the sysctls of the
// namespaces it owns (net.*, the ipc and uts ones, ...); the files of
// kernel-wide sysctls belong to the host's root, which is not mapped in the
// container, and writing them fails with EACCES/EPERM. A read-only /proc/sys
// would take away exactly what --privileged is for (sysctl -w
// net.ipv4.ip_forward=1 in its own network namespace). A spec that asks for
// it read-only itself (docker without --privileged) keeps it so.
var readonlyPaths = []string{
	"/proc/bus",
	"/proc/fs",
	"/proc/irq",
	"/proc/sysrq-trigger",
}

// Masks keeps the masked and read-only /proc and /sys paths in force, also
// when the spec clears them (--privileged, --security-opt
// systempaths=unconfined). The spec's own entries stay first, in their
// order; the missing defaults follow in the order above; no path twice.
type Masks struct{}

// NewMasks returns the modifier.
func NewMasks() Masks { return Masks{} }

// Name implements runtime.SpecModifier.
func (Masks) Name() string { return "masks" }

// Modify implements runtime.SpecModifier.
func (Masks) Modify(spec *specs.Spec) error {
	if spec.Linux == nil {
		spec.Linux = &specs.Linux{}
	}
	spec.Linux.MaskedPaths = mergePaths(spec.Linux.MaskedPaths, maskedPaths)
	spec.Linux.ReadonlyPaths = mergePaths(spec.Linux.ReadonlyPaths, readonlyPaths)
	return nil
}

// mergePaths returns have (deduplicated, in order) followed by what of want
// is missing. Paths compare cleaned.
func mergePaths(have, want []string) []string {
	out := make([]string, 0, len(have)+len(want))
	seen := map[string]bool{}
	for _, list := range [][]string{have, want} {
		for _, p := range list {
			c := path.Clean(p)
			if seen[c] {
				continue
			}
			seen[c] = true
			out = append(out, p)
		}
	}
	return out
}
