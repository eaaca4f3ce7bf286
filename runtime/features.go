package runtime

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/opencontainers/runtime-spec/specs-go/features"
)

// AnnotationPrefix is the prefix of sysbox-lite's own annotations.
const AnnotationPrefix = "io.sysbox-lite."

// Features returns the engine's `features` document adjusted to what
// sysbox-lite adds: user and cgroup namespaces always, idmapped mounts
// (made on the host), and its own annotations.
func (rt *Runtime) Features(version string) ([]byte, error) {
	out, err := rt.Engine.Output(append(rt.Argv.Global, "features")...)
	if err != nil {
		return nil, fmt.Errorf("engine features: %w", err)
	}
	var f features.Features
	if err := json.Unmarshal(out, &f); err != nil {
		return nil, fmt.Errorf("decode engine features: %w", err)
	}
	AdjustFeatures(&f, version)
	data, err := json.MarshalIndent(f, "", "    ")
	if err != nil {
		return nil, fmt.Errorf("encode features: %w", err)
	}
	return append(data, '\n'), nil
}

// AdjustFeatures edits an engine's features document in place.
func AdjustFeatures(f *features.Features, version string) {
	if f.Linux == nil {
		f.Linux = &features.Linux{}
	}
	for _, ns := range []string{"user", "cgroup"} {
		if !slices.Contains(f.Linux.Namespaces, ns) {
			f.Linux.Namespaces = append(f.Linux.Namespaces, ns)
		}
	}
	enabled := true
	if f.Linux.MountExtensions == nil {
		f.Linux.MountExtensions = &features.MountExtensions{}
	}
	f.Linux.MountExtensions.IDMap = &features.IDMap{Enabled: &enabled}
	if f.Annotations == nil {
		f.Annotations = map[string]string{}
	}
	f.Annotations[AnnotationPrefix+"version"] = version
	f.Annotations[AnnotationPrefix+"userns"] = "always: every container gets an exclusive 65536-ID range"
}
