package install

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/BurntSushi/toml"
)

// The marker lines around the block sysbox-lite-install owns in
// containerd's config.toml.
const (
	containerdBegin = "# BEGIN sysbox-lite (managed by sysbox-lite-install)"
	containerdEnd   = "# END sysbox-lite"
)

// containerdRuntimeType is the shim that runs sysbox-lite as its runc.
const containerdRuntimeType = "io.containerd.runc.v2"

// ShimRuntimeType is containerd-shim-sysbox-lite-v2's runtime type (the
// runc shim with sysbox-lite as its default binary).
const ShimRuntimeType = "io.containerd.sysbox-lite.v2"

// containerdEntry is what our block registers: the runc shim with
// sysbox-lite as BinaryName, or our own shim (which needs no options).
type containerdEntry struct {
	shim   bool
	binary string // BinaryName, for the runc shim
}

// runtimeType is the entry's runtime_type.
func (e containerdEntry) runtimeType() string {
	if e.shim {
		return ShimRuntimeType
	}
	return containerdRuntimeType
}

// describe says what the entry is, for the installer's report.
func (e containerdEntry) describe() string {
	if e.shim {
		return "runtime_type " + ShimRuntimeType
	}
	return "BinaryName " + e.binary
}

// containerdNewFile starts a config.toml that did not exist.
const containerdNewFile = "# containerd configuration, created by sysbox-lite-install.\nversion = 2\n"

// errUserDefined says the file already defines the runtime outside our block.
var errUserDefined = errors.New("runtime defined outside the sysbox-lite block")

// criPluginID returns the id of the plugin that holds CRI runtimes in a
// config of the given version: the short id in version 1 (what containerd
// 1.x assumes when "version" is absent), the 1.x URI in version 2, the
// 2.x runtime plugin in versions 3 and 4.
func criPluginID(version int64) (string, error) {
	switch version {
	case 1:
		return "cri", nil
	case 2:
		return "io.containerd.grpc.v1.cri", nil
	case 3, 4: // 4: containerd 2.4's; the CRI runtime plugin stays
		return "io.containerd.cri.v1.runtime", nil
	default:
		return "", fmt.Errorf("unsupported containerd config version %d (want 1, 2, 3 or 4)", version)
	}
}

// tomlKey renders a table key part: bare when it can be, quoted otherwise.
func tomlKey(k string) string {
	if validRuntimeName(k) {
		return k
	}
	return tomlString(k)
}

// runtimeKeys is the table path of the runtime in a config of the plugin.
func runtimeKeys(plugin, name string) []string {
	return []string{"plugins", plugin, "containerd", "runtimes", name}
}

// defaultRuntime is containerd's default CRI runtime name (and type).
const defaultRuntime = "runc"

// containerdBlock renders our block, markers included, ending in a newline.
// withRunc adds containerd's default runc runtime: containerd 1.x replaces
// its built-in runtimes with those a config file names, so a file that
// names only ours would leave default_runtime_name "runc" undefined, and
// the CRI plugin would refuse to load ("no corresponding runtime
// configured in containerd.runtimes for containerd default_runtime_name").
func containerdBlock(plugin, name string, e containerdEntry, withRunc bool) string {
	runtimes := "plugins." + tomlKey(plugin) + ".containerd.runtimes."
	table := runtimes + tomlKey(name)
	runc := ""
	if withRunc {
		runc = "# containerd 1.x drops its built-in runc when a file names runtimes: keep it\n" +
			"[" + runtimes + defaultRuntime + "]\n" +
			"  runtime_type = " + tomlString(containerdRuntimeType) + "\n"
	}
	entry := "[" + table + "]\n" +
		"  runtime_type = " + tomlString(e.runtimeType()) + "\n"
	if !e.shim {
		entry += "  [" + table + ".options]\n" +
			"    BinaryName = " + tomlString(e.binary) + "\n"
	}
	return containerdBegin + "\n" + runc + entry + containerdEnd + "\n"
}

// findBlock locates our block in data: from the start of the BEGIN line to
// just after the END line. A BEGIN without an END, an END without a BEGIN,
// or two blocks are errors.
func findBlock(data []byte) (start, end int, found bool, err error) {
	start, end = -1, -1
	off := 0
	for off < len(data) {
		lineEnd := len(data)
		next := len(data)
		if i := bytes.IndexByte(data[off:], '\n'); i >= 0 {
			lineEnd, next = off+i, off+i+1
		}
		switch strings.TrimSpace(string(data[off:lineEnd])) {
		case containerdBegin:
			if start >= 0 {
				return 0, 0, false, errors.New("more than one sysbox-lite block")
			}
			start = off
		case containerdEnd:
			if start < 0 || end >= 0 {
				return 0, 0, false, errors.New("sysbox-lite end marker without a begin marker")
			}
			end = next
		}
		off = next
	}
	switch {
	case start < 0:
		return 0, 0, false, nil
	case end < 0:
		return 0, 0, false, errors.New("sysbox-lite begin marker without an end marker")
	}
	return start, end, true, nil
}

// withoutBlock returns data with our block and the blank line that
// appendBlock put before it removed.
func withoutBlock(data []byte, start, end int) []byte {
	if start >= 1 && data[start-1] == '\n' && (start == 1 || data[start-2] == '\n') {
		start--
	}
	out := make([]byte, 0, len(data)-(end-start))
	out = append(out, data[:start]...)
	return append(out, data[end:]...)
}

// appendBlock appends block to data after a blank line, ending data's last
// line first if it has no newline.
func appendBlock(data []byte, block string) []byte {
	out := bytes.Clone(data)
	if len(out) > 0 {
		if out[len(out)-1] != '\n' {
			out = append(out, '\n')
		}
		out = append(out, '\n')
	}
	return append(out, block...)
}

// containerdConfig is what addContainerdRuntime learns from the user's part
// of the file.
type containerdConfig struct {
	version      int64
	plugin       string
	criDisabled  bool
	userDefined  bool
	blockPresent bool
	// needsRunc: containerd 1.x config whose default runtime is runc
	// without a runc table of its own (see containerdBlock).
	needsRunc bool
}

// inspectContainerd parses the user's part of data (without our block).
func inspectContainerd(data []byte, name string) (containerdConfig, []byte, error) {
	start, end, found, err := findBlock(data)
	if err != nil {
		return containerdConfig{}, nil, err
	}
	user := data
	if found {
		user = withoutBlock(data, start, end)
	}
	var doc map[string]any
	md, err := toml.Decode(string(user), &doc)
	if err != nil {
		return containerdConfig{}, nil, fmt.Errorf("parse toml: %w", err)
	}
	c := containerdConfig{version: 1, blockPresent: found}
	if v, ok := doc["version"]; ok {
		n, ok := v.(int64)
		if !ok {
			return containerdConfig{}, nil, fmt.Errorf("version %v is not an integer", v)
		}
		c.version = n
	}
	if c.plugin, err = criPluginID(c.version); err != nil {
		return containerdConfig{}, nil, err
	}
	c.userDefined = md.IsDefined(runtimeKeys(c.plugin, name)...)
	if c.version < 3 && name != defaultRuntime && !md.IsDefined(runtimeKeys(c.plugin, defaultRuntime)...) {
		def, _ := lookupTable(doc, "plugins", c.plugin, "containerd")
		n, set := def["default_runtime_name"].(string)
		c.needsRunc = !set || n == defaultRuntime
	}
	if disabled, ok := doc["disabled_plugins"].([]any); ok {
		for _, p := range disabled {
			switch p {
			case "cri", "io.containerd.grpc.v1.cri", "io.containerd.cri.v1.runtime":
				c.criDisabled = true
			}
		}
	}
	return c, user, nil
}

// addContainerdRuntime is addContainerdEntry for the runc shim with binary
// as its BinaryName.
func addContainerdRuntime(data []byte, exists bool, name, binary string) ([]byte, containerdConfig, error) {
	return addContainerdEntry(data, exists, name, containerdEntry{binary: binary})
}

// addContainerdEntry returns data with our block for the runtime added,
// or replaced in place if it is there with other content. exists false
// means the file is absent: the result is a new version 2 file. It returns
// data itself when nothing changes, and errUserDefined when the user's part
// of the file already defines the runtime. The result is checked to parse
// and to define the runtime as intended.
func addContainerdEntry(data []byte, exists bool, name string, e containerdEntry) ([]byte, containerdConfig, error) {
	if !exists {
		data = []byte(containerdNewFile)
	}
	c, user, err := inspectContainerd(data, name)
	if err != nil {
		return nil, c, err
	}
	if c.userDefined {
		return nil, c, errUserDefined
	}
	block := containerdBlock(c.plugin, name, e, c.needsRunc)
	if k, ok := inlineTableKey(user, runtimeKeys(c.plugin, name)[:4]); ok {
		return nil, c, fmt.Errorf("%q is an inline table, which TOML does not allow to extend; add this by hand:\n%s", k, block)
	}
	var out []byte
	if c.blockPresent {
		start, end, _, _ := findBlock(data)
		out = make([]byte, 0, len(data)+len(block))
		out = append(out, data[:start]...)
		out = append(out, block...)
		out = append(out, data[end:]...)
	} else {
		out = appendBlock(data, block)
	}
	if exists && bytes.Equal(out, data) {
		return data, c, nil
	}
	if err := checkContainerdRuntime(out, c.plugin, name, e, c.needsRunc); err != nil {
		return nil, c, fmt.Errorf("the file with the runtime added would be wrong (%w); add this by hand:\n%s", err, block)
	}
	return out, c, nil
}

// removeContainerdRuntime returns data without our block (data itself if
// there is none), so that install then uninstall gives back the original
// bytes (but for a final newline install had to add).
func removeContainerdRuntime(data []byte) ([]byte, bool, error) {
	start, end, found, err := findBlock(data)
	if err != nil || !found {
		return data, false, err
	}
	return withoutBlock(data, start, end), true, nil
}

// checkContainerdRuntime parses data and checks that it defines the runtime
// as the entry says (and the default runc when withRunc).
func checkContainerdRuntime(data []byte, plugin, name string, e containerdEntry, withRunc bool) error {
	var doc map[string]any
	if _, err := toml.Decode(string(data), &doc); err != nil {
		return fmt.Errorf("parse toml: %w", err)
	}
	if withRunc {
		if rt, ok := lookupTable(doc, runtimeKeys(plugin, defaultRuntime)...); !ok || rt["runtime_type"] != containerdRuntimeType {
			return fmt.Errorf("the default runtime %s is not defined as %s", defaultRuntime, containerdRuntimeType)
		}
	}
	rt, ok := lookupTable(doc, runtimeKeys(plugin, name)...)
	if !ok {
		return fmt.Errorf("table %s is not defined", strings.Join(runtimeKeys(plugin, name), "."))
	}
	if rt["runtime_type"] != e.runtimeType() {
		return fmt.Errorf("runtime_type is %v, want %s", rt["runtime_type"], e.runtimeType())
	}
	opts, _ := rt["options"].(map[string]any)
	if e.shim {
		if len(opts) > 0 {
			return fmt.Errorf("options %v are set, want none", opts)
		}
		return nil
	}
	if opts["BinaryName"] != e.binary {
		return fmt.Errorf("options.BinaryName is %v, want %s", opts["BinaryName"], e.binary)
	}
	return nil
}

// lookupTable walks the nested tables of doc along keys.
func lookupTable(doc map[string]any, keys ...string) (map[string]any, bool) {
	t := doc
	for _, k := range keys {
		next, ok := t[k].(map[string]any)
		if !ok {
			return nil, false
		}
		t = next
	}
	return t, true
}
