package confine

import (
	"fmt"
	"path"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Per-container annotations. They can only narrow what the host policy
// allows: asking for more is refused.
const (
	// AnnotationAllowedDevices is a comma-separated list of device paths:
	// the container gets only these of the devices the policy allows (the
	// pseudo-devices /dev/null, /dev/tty, ... always stay).
	AnnotationAllowedDevices = "io.sysbox-lite.allowed-devices"
	// AnnotationAllowedMounts is a comma-separated list of host paths: of the
	// sensitive paths the policy allows, the container may bind-mount only
	// these (and what is under them).
	AnnotationAllowedMounts = "io.sysbox-lite.allowed-mounts"
	// AnnotationImage names the container's image where the engine does not
	// (docker 20.10 does not), for [[policy.image_mounts]].
	AnnotationImage = "io.sysbox-lite.image"
)

// pathList parses a comma-separated annotation of clean absolute paths. ok
// is false when the annotation is absent.
func pathList(spec *specs.Spec, key string) (paths []string, ok bool, err error) {
	v, ok := spec.Annotations[key]
	if !ok {
		return nil, false, nil
	}
	for _, p := range strings.Split(v, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if !path.IsAbs(p) || path.Clean(p) != p {
			return nil, true, fmt.Errorf("annotation %s: %q is not a clean absolute path", key, p)
		}
		paths = append(paths, p)
	}
	return paths, true, nil
}
