package runtime

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/sysbox-lite/sysbox-lite/internal/atomicfile"
)

// MaxConfigSize bounds config.json: real specs are a few tens of KiB.
const MaxConfigSize = 4 << 20

// ConfigPath returns the path of a bundle's config.json.
func ConfigPath(bundle string) string { return filepath.Join(bundle, "config.json") }

// LoadSpec reads and strictly decodes a bundle's config.json: unknown
// fields, trailing data and oversized files are errors.
func LoadSpec(bundle string) (*specs.Spec, []byte, error) {
	path := ConfigPath(bundle)
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("open bundle config: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxConfigSize+1))
	if err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", path, err)
	}
	spec, err := DecodeSpec(data)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return spec, data, nil
}

// DecodeSpec strictly decodes an OCI runtime spec.
func DecodeSpec(data []byte) (*specs.Spec, error) {
	if len(data) > MaxConfigSize {
		return nil, fmt.Errorf("config is larger than %d bytes", MaxConfigSize)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var spec specs.Spec
	if err := dec.Decode(&spec); err != nil {
		return nil, fmt.Errorf("invalid config: %w", err)
	}
	if dec.More() {
		return nil, errors.New("invalid config: trailing data after the JSON object")
	}
	if spec.Root == nil || spec.Root.Path == "" {
		return nil, errors.New("invalid config: root.path is missing")
	}
	if spec.Process == nil {
		return nil, errors.New("invalid config: process is missing")
	}
	if spec.Linux == nil {
		return nil, errors.New("invalid config: linux section is missing")
	}
	return &spec, nil
}

// FlushSpec writes spec as the bundle's config.json, atomically.
func FlushSpec(bundle string, spec *specs.Spec) error {
	data, err := json.Marshal(spec)
	if err != nil {
		return fmt.Errorf("encode spec: %w", err)
	}
	if err := atomicfile.Write(ConfigPath(bundle), data, 0o600); err != nil {
		return fmt.Errorf("write bundle config: %w", err)
	}
	return nil
}

// absoluteBindSources makes every relative bind source absolute against the
// caller's bundle, as runc resolves them (it runs in the bundle directory):
// the engine gets another bundle directory.
func absoluteBindSources(spec *specs.Spec, bundle string) {
	for i, m := range spec.Mounts {
		if m.Source == "" || filepath.IsAbs(m.Source) || !isBindMount(m) {
			continue
		}
		spec.Mounts[i].Source = filepath.Join(bundle, m.Source)
	}
}

func isBindMount(m specs.Mount) bool {
	if m.Type == "bind" {
		return true
	}
	for _, o := range m.Options {
		if o == "bind" || o == "rbind" {
			return true
		}
	}
	return false
}
