package shim

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/containerd/containerd/api/types/runc/options"
	runtimeoptions "github.com/containerd/containerd/api/types/runtimeoptions/v1"
	"github.com/containerd/typeurl/v2"
	"github.com/pelletier/go-toml/v2"
	"google.golang.org/protobuf/types/known/anypb"
)

// runcOptions decodes the runtime options a caller sent with a task (or to
// Info) into the runc shim's options:
//   - none: empty options;
//   - runc options (ctr run, CRI with runtime_type io.containerd.runc.v2):
//     as they are;
//   - generic options: CRI's for any runtime_type it does not know, so
//     ours (the runtime's `options` table as TOML in ConfigBody, or the
//     TOML file its ConfigPath names), or ctr's --runtime-config-path (the
//     file): that TOML read as runc options, so the keys of the runc shim
//     (SystemdCgroup, BinaryName, Root, ...) mean the same here. An unknown
//     key is an error.
func runcOptions(a *anypb.Any) (*options.Options, error) {
	if a.GetValue() == nil {
		return &options.Options{}, nil
	}
	v, err := typeurl.UnmarshalAny(a)
	if err != nil {
		return nil, fmt.Errorf("decode runtime options %s: %w", a.GetTypeUrl(), err)
	}
	switch o := v.(type) {
	case *options.Options:
		return o, nil
	case *runtimeoptions.Options:
		body := o.ConfigBody
		if o.ConfigPath != "" {
			if body, err = readOptionsFile(o.ConfigPath); err != nil {
				return nil, err
			}
		}
		ro := &options.Options{}
		dec := toml.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(ro); err != nil {
			var strict *toml.StrictMissingError
			if errors.As(err, &strict) {
				var keys []string
				for _, e := range strict.Errors {
					keys = append(keys, strings.Join(e.Key(), "."))
				}
				return nil, fmt.Errorf("runtime options table of %s: unknown key(s) %s (it takes the runc shim's options)", RuntimeName, strings.Join(keys, ", "))
			}
			return nil, fmt.Errorf("runtime options table of %s (the runc shim's options): %w", RuntimeName, err)
		}
		return ro, nil
	default:
		return nil, fmt.Errorf("runtime options of type %s are not supported by %s (want the runc shim's options)", a.GetTypeUrl(), RuntimeName)
	}
}

// withBinary returns the task options as the runc shim must see them: runc
// options whose BinaryName is the caller's, or binary when the caller named
// none. binary "" (none found) is an error only when it is needed.
func withBinary(a *anypb.Any, binary string) (*anypb.Any, error) {
	o, err := runcOptions(a)
	if err != nil {
		return nil, err
	}
	if o.BinaryName == "" {
		if binary == "" {
			return nil, errNoBinary
		}
		o.BinaryName = binary
	}
	out, err := typeurl.MarshalAnyToProto(o)
	if err != nil {
		return nil, fmt.Errorf("encode runtime options: %w", err)
	}
	return out, nil
}

// maxOptionsFile bounds an options file (it holds a handful of keys).
const maxOptionsFile = 1 << 20

// readOptionsFile reads the TOML file of runc options that ConfigPath names.
func readOptionsFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("runtime options file: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxOptionsFile+1))
	if err != nil {
		return nil, fmt.Errorf("runtime options file %s: %w", path, err)
	}
	if len(data) > maxOptionsFile {
		return nil, fmt.Errorf("runtime options file %s: larger than %d bytes", path, maxOptionsFile)
	}
	return data, nil
}
