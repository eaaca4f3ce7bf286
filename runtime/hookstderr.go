package runtime

import (
	"os"
	"path/filepath"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// crun discards what a hook writes to stderr unless the annotation
// run.oci.hooks.stderr names a file for it, and reports a failed hook by
// its path and exit code only ("error executing hook `/usr/local/bin/
// sysbox-lite` (exit code: 1)"); runc puts the hook's stderr in its error.
// So that a failure of sysbox-lite's own hooks (cgroup-hook, fsemu-hook)
// says why under crun too, create points that annotation at a file in the
// container's state directory and, when the engine fails to create the
// container, logs the last line the hooks wrote there as the last error
// (which docker and containerd show). (Only for create and run --detach:
// an attached run's exit code may be the container's own.)
const (
	crunHooksStderrAnnotation = "run.oci.hooks.stderr"
	hooksStderrName           = "hooks.stderr"
)

// captureHooksStderr sets the annotation for crun, unless the caller has
// set it (then the caller's file gets the output, as it asked).
func (rt *Runtime) captureHooksStderr(spec *specs.Spec, dir string) {
	if rt.Engine.Name() != "crun" {
		return
	}
	if _, ok := spec.Annotations[crunHooksStderrAnnotation]; ok {
		return
	}
	if spec.Annotations == nil {
		spec.Annotations = map[string]string{}
	}
	spec.Annotations[crunHooksStderrAnnotation] = filepath.Join(dir, hooksStderrName)
}

// reportHooksStderr logs the last line the hooks wrote to the file
// captureHooksStderr named, after the engine failed to create the
// container (nothing when there is no such line).
func (rt *Runtime) reportHooksStderr(dir string) {
	data, err := os.ReadFile(filepath.Join(dir, hooksStderrName))
	if err != nil {
		return
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	last := strings.TrimPrefix(strings.TrimSpace(lines[len(lines)-1]), "sysbox-lite: ")
	if last != "" {
		rt.Log.Errorf("sysbox-lite: a hook failed under %s: %s", rt.Engine.Name(), last)
	}
}
