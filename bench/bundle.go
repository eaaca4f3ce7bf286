package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// ociBundle is a bundle for the bare OCI lifecycle: the busybox rootfs
// (hack/busybox-rootfs.sh) and `runc spec`'s config.json running `true`.
type ociBundle struct {
	Dir      string
	original []byte // config.json as written (sysbox-lite rewrites it)
}

// newBundle builds a bundle in dir; edit, when not nil, changes the spec
// (decoded as generic JSON, so that no field is lost) before it is written.
func newBundle(ctx context.Context, e *Env, dir string, edit func(spec map[string]any)) (*ociBundle, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if out, err := e.Hack(ctx, "busybox-rootfs.sh", filepath.Join(dir, "rootfs")); err != nil {
		return nil, fmt.Errorf("busybox-rootfs.sh: %w\n%s", err, out)
	}
	cmd := exec.CommandContext(ctx, e.Runc, "spec")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("runc spec: %w\n%s", err, out)
	}
	path := filepath.Join(dir, "config.json")
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var spec map[string]any
	if err := json.Unmarshal(data, &spec); err != nil {
		return nil, fmt.Errorf("runc spec wrote %s: %w", path, err)
	}
	process, _ := spec["process"].(map[string]any)
	root, _ := spec["root"].(map[string]any)
	if process == nil || root == nil {
		return nil, fmt.Errorf("runc spec wrote no process or root in %s", path)
	}
	process["args"] = []string{"true"}
	process["terminal"] = false
	root["readonly"] = false
	if edit != nil {
		edit(spec)
	}
	if data, err = json.MarshalIndent(spec, "", "\t"); err != nil {
		return nil, err
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return nil, err
	}
	return &ociBundle{Dir: dir, original: data}, nil
}

// Restore puts the original config.json back (before each sysbox-lite
// create: it rewrites the bundle).
func (b *ociBundle) Restore() error {
	return os.WriteFile(filepath.Join(b.Dir, "config.json"), b.original, 0o644)
}

// withUserns adds what sysbox-lite adds to a spec for runc to do itself:
// user and cgroup namespaces and a 65536-ID mapping at hostID.
func withUserns(hostID int) func(map[string]any) {
	return func(spec map[string]any) {
		linux, _ := spec["linux"].(map[string]any)
		if linux == nil {
			linux = map[string]any{}
			spec["linux"] = linux
		}
		nss, _ := linux["namespaces"].([]any)
		nss = append(nss, map[string]any{"type": "user"}, map[string]any{"type": "cgroup"})
		linux["namespaces"] = nss
		m := []map[string]any{{"containerID": 0, "hostID": hostID, "size": 65536}}
		linux["uidMappings"] = m
		linux["gidMappings"] = m
	}
}
