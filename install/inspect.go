package install

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/BurntSushi/toml"
)

// Read-only views of the files Install edits, for `sysbox-lite check`: what
// they say about the runtime, parsed exactly as Install parses them.

// DockerConfig is what a daemon.json says that matters to sysbox-lite.
type DockerConfig struct {
	// DataRoot is "data-root" (or the older "graph"); "" when not set.
	DataRoot string
	// Runtime is runtimes.<name>; nil when it is not there.
	Runtime *DockerRuntime
}

// DockerRuntime is one entry of daemon.json's "runtimes".
type DockerRuntime struct {
	Path string
	Args []string // runtimeArgs
}

// InspectDockerConfig parses daemon.json content (an empty file is an empty
// object) and returns its data root and runtime name.
func InspectDockerConfig(data []byte, name string) (DockerConfig, error) {
	doc, err := parseDaemonJSON(data)
	if err != nil {
		return DockerConfig{}, err
	}
	var c DockerConfig
	for _, key := range []string{"graph", "data-root"} { // data-root wins
		if raw, ok := doc.get(key); ok {
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				return DockerConfig{}, fmt.Errorf("%q is not a string: %w", key, err)
			}
			c.DataRoot = s
		}
	}
	runtimes, err := runtimesOf(doc)
	if err != nil {
		return DockerConfig{}, err
	}
	raw, ok := runtimes.get(name)
	if !ok {
		return c, nil
	}
	var rt struct {
		Path        string   `json:"path"`
		RuntimeArgs []string `json:"runtimeArgs"`
	}
	if err := json.Unmarshal(raw, &rt); err != nil {
		return DockerConfig{}, fmt.Errorf("runtime %q: %w", name, err)
	}
	c.Runtime = &DockerRuntime{Path: rt.Path, Args: rt.RuntimeArgs}
	return c, nil
}

// ContainerdConfig is what a containerd config.toml says that matters to
// sysbox-lite.
type ContainerdConfig struct {
	// Version is the config version (1 when the file has none).
	Version int64
	// Root is the top-level "root"; "" when not set.
	Root string
	// CRIDisabled: disabled_plugins names the CRI plugin.
	CRIDisabled bool
	// Runtime is the CRI runtime of the name; nil when not defined.
	Runtime *ContainerdRuntime
}

// ContainerdRuntime is one CRI runtime of containerd's config.
type ContainerdRuntime struct {
	// Table is the TOML table that defines it.
	Table string
	// Managed: it is defined in sysbox-lite-install's marked block.
	Managed     bool
	RuntimeType string
	// BinaryName is options.BinaryName (the runc shim's engine binary).
	BinaryName string
	// Shim: RuntimeType is containerd-shim-sysbox-lite-v2's.
	Shim bool
}

// InspectContainerdConfig parses containerd config.toml content and
// returns the runtime name as containerd of that config version sees it.
func InspectContainerdConfig(data []byte, name string) (ContainerdConfig, error) {
	c, _, err := inspectContainerd(data, name)
	if err != nil {
		return ContainerdConfig{}, err
	}
	out := ContainerdConfig{Version: c.version, CRIDisabled: c.criDisabled}
	var doc map[string]any
	if _, err := toml.Decode(string(data), &doc); err != nil {
		return ContainerdConfig{}, fmt.Errorf("parse toml: %w", err)
	}
	if root, ok := doc["root"].(string); ok {
		out.Root = root
	}
	keys := runtimeKeys(c.plugin, name)
	rt, ok := lookupTable(doc, keys...)
	if !ok {
		return out, nil
	}
	r := &ContainerdRuntime{Managed: c.blockPresent && !c.userDefined}
	var table bytes.Buffer
	for i, k := range keys {
		if i > 0 {
			table.WriteByte('.')
		}
		table.WriteString(tomlKey(k))
	}
	r.Table = table.String()
	r.RuntimeType, _ = rt["runtime_type"].(string)
	r.Shim = r.RuntimeType == ShimRuntimeType
	if opts, ok := rt["options"].(map[string]any); ok {
		r.BinaryName, _ = opts["BinaryName"].(string)
	}
	out.Runtime = r
	return out, nil
}
