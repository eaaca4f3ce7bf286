package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// rewrittenSpec creates a sysbox-lite container from bundle (without
// starting it), reads the config.json sysbox-lite handed to runc (in its
// private bundle, the container's state directory), deletes the container
// and restores the bundle.
func rewrittenSpec(ctx context.Context, cli ociCLI, bundle *ociBundle) (map[string]any, error) {
	if err := bundle.Restore(); err != nil {
		return nil, err
	}
	const id = "sblb-spec"
	if _, err := cli.cmd(ctx, "create", "--bundle", bundle.Dir, id); err != nil {
		return nil, err
	}
	var data []byte
	found, rerr := filepath.Glob(filepath.Join(cli.e.StateDir, id+".*", "config.json"))
	if rerr == nil && len(found) != 1 {
		rerr = fmt.Errorf("the private bundle of %s: %d found", id, len(found))
	}
	if rerr == nil {
		data, rerr = os.ReadFile(found[0])
	}
	cli.forceDelete(id)
	if err := bundle.Restore(); err != nil {
		return nil, err
	}
	if rerr != nil {
		return nil, rerr
	}
	var spec map[string]any
	if err := json.Unmarshal(data, &spec); err != nil {
		return nil, fmt.Errorf("sysbox-lite's config.json: %w", err)
	}
	return spec, nil
}

// withSeccompOf gives a spec the seccomp section of another, with notify
// rules turned into errno rules and no listener: the filter runc compiles
// and loads for sysbox-lite, without the supervisor that would answer it.
func withSeccompOf(from map[string]any) func(map[string]any) {
	return func(spec map[string]any) {
		fl, _ := from["linux"].(map[string]any)
		sc, ok := fl["seccomp"].(map[string]any)
		if !ok {
			return
		}
		copied := map[string]any{}
		for k, v := range sc {
			if k != "listenerPath" && k != "listenerMetadata" {
				copied[k] = v
			}
		}
		if calls, ok := copied["syscalls"].([]any); ok {
			var out []any
			for _, c := range calls {
				rule, _ := c.(map[string]any)
				if rule == nil {
					continue
				}
				r := map[string]any{}
				for k, v := range rule {
					r[k] = v
				}
				if r["action"] == "SCMP_ACT_NOTIFY" {
					r["action"] = "SCMP_ACT_ERRNO"
				}
				out = append(out, r)
			}
			copied["syscalls"] = out
		}
		linux, _ := spec["linux"].(map[string]any)
		if linux == nil {
			linux = map[string]any{}
			spec["linux"] = linux
		}
		linux["seccomp"] = copied
	}
}

// specChanges describes what sysbox-lite's rewrite adds to a spec that
// makes runc's create cost more: hooks, mounts, namespaces, seccomp.
func specChanges(orig, rewritten map[string]any) string {
	var parts []string
	if d := len(namespaceTypes(rewritten)) - len(namespaceTypes(orig)); d != 0 {
		parts = append(parts, fmt.Sprintf("namespaces %s", strings.Join(namespaceTypes(rewritten), ", ")))
	}
	parts = append(parts, fmt.Sprintf("%d spec mounts (runc's own: %d; the root, volumes and /dev are mounted on the host beforehand)", len(listOf(rewritten["mounts"])), len(listOf(orig["mounts"]))))
	if sc, ok := mapOf(rewritten["linux"])["seccomp"].(map[string]any); ok {
		names := 0
		for _, r := range listOf(sc["syscalls"]) {
			names += len(listOf(mapOf(r)["names"]))
		}
		l := ""
		if sc["listenerPath"] != nil {
			l = " and a notify listener (the supervisor)"
		}
		parts = append(parts, fmt.Sprintf("a seccomp filter (%d rules over %d syscall names)%s", len(listOf(sc["syscalls"])), names, l))
	}
	var hooks []string
	hm := mapOf(rewritten["hooks"])
	kinds := make([]string, 0, len(hm))
	for k := range hm {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, kind := range kinds {
		for _, h := range listOf(hm[kind]) {
			args := listOf(mapOf(h)["args"])
			desc := filepath.Base(fmt.Sprint(mapOf(h)["path"]))
			if len(args) > 1 {
				desc += " " + fmt.Sprint(args[1])
			}
			hooks = append(hooks, fmt.Sprintf("%s hook `%s`", kind, desc))
		}
	}
	if len(hooks) > 0 {
		parts = append(parts, strings.Join(hooks, ", ")+" (one more process start each)")
	}
	return strings.Join(parts, "; ")
}

func namespaceTypes(spec map[string]any) []string {
	var out []string
	for _, n := range listOf(mapOf(spec["linux"])["namespaces"]) {
		out = append(out, fmt.Sprint(mapOf(n)["type"]))
	}
	return out
}

func mapOf(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func listOf(v any) []any {
	l, _ := v.([]any)
	return l
}
