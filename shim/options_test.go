package shim

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/containerd/containerd/api/types/runc/options"
	runtimeoptions "github.com/containerd/containerd/api/types/runtimeoptions/v1"
	"github.com/containerd/typeurl/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/emptypb"
)

func marshal(t *testing.T, v any) *anypb.Any {
	t.Helper()
	a, err := typeurl.MarshalAnyToProto(v)
	require.NoError(t, err)
	return a
}

func decode(t *testing.T, a *anypb.Any) *options.Options {
	t.Helper()
	v, err := typeurl.UnmarshalAny(a)
	require.NoError(t, err)
	o, ok := v.(*options.Options)
	require.True(t, ok, "options of type %T, want runc options", v)
	return o
}

func TestWithBinaryFillsInWhatIsMissing(t *testing.T) {
	const bin = "/opt/sbl/sysbox-lite"
	for name, in := range map[string]*anypb.Any{
		"no options (ctr run --runtime)":        nil,
		"empty Any":                             {},
		"runc options without BinaryName":       marshal(t, &options.Options{SystemdCgroup: true, Root: "/run/r"}),
		"CRI options table without BinaryName":  marshal(t, &runtimeoptions.Options{ConfigBody: []byte("SystemdCgroup = true\nRoot = \"/run/r\"\n")}),
		"CRI with no options table, empty body": marshal(t, &runtimeoptions.Options{}),
	} {
		t.Run(name, func(t *testing.T) {
			out, err := withBinary(in, bin)
			require.NoError(t, err)
			o := decode(t, out)
			assert.Equal(t, bin, o.BinaryName)
			if in.GetValue() != nil && name != "CRI with no options table, empty body" {
				assert.True(t, o.SystemdCgroup, "other options are kept")
				assert.Equal(t, "/run/r", o.Root)
			}
		})
	}
}

func TestWithBinaryKeepsTheCallersBinary(t *testing.T) {
	for name, in := range map[string]*anypb.Any{
		"runc options":      marshal(t, &options.Options{BinaryName: "/usr/bin/crun"}),
		"CRI options table": marshal(t, &runtimeoptions.Options{ConfigBody: []byte(`BinaryName = "/usr/bin/crun"`)}),
	} {
		t.Run(name, func(t *testing.T) {
			out, err := withBinary(in, "/opt/sbl/sysbox-lite")
			require.NoError(t, err)
			assert.Equal(t, "/usr/bin/crun", decode(t, out).BinaryName)
			// no binary found is fine when the caller named one
			out, err = withBinary(in, "")
			require.NoError(t, err)
			assert.Equal(t, "/usr/bin/crun", decode(t, out).BinaryName)
		})
	}
}

func TestWithBinaryRefuses(t *testing.T) {
	cases := map[string]struct {
		in   *anypb.Any
		bin  string
		want string
	}{
		"no binary found and none named":       {nil, "", errNoBinary.Error()},
		"unknown key in the CRI options table": {marshal(t, &runtimeoptions.Options{ConfigBody: []byte("SystemdCgroups = true\n")}), "/b", "SystemdCgroups"},
		"missing options file":                 {marshal(t, &runtimeoptions.Options{ConfigPath: "/nonexistent/x.toml"}), "/b", "runtime options file: open /nonexistent/x.toml"},
		"options of another type":              {marshal(t, &emptypb.Empty{}), "/b", "google.protobuf.Empty are not supported"},
		"undecodable options":                  {&anypb.Any{TypeUrl: "nope/x", Value: []byte{1}}, "/b", "decode runtime options nope/x"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := withBinary(c.in, c.bin)
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

func TestWithBinaryOptionsFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "opts.toml")
	require.NoError(t, os.WriteFile(path, []byte("Root = \"/run/r\"\nSystemdCgroup = true\n"), 0o644))
	// ctr run --runtime io.containerd.sysbox-lite.v2 --runtime-config-path FILE;
	// CRI's ConfigPath; a ConfigBody next to it is not read
	out, err := withBinary(marshal(t, &runtimeoptions.Options{ConfigPath: path, ConfigBody: []byte("Bogus = 1")}), "/opt/sbl/sysbox-lite")
	require.NoError(t, err)
	o := decode(t, out)
	assert.Equal(t, "/opt/sbl/sysbox-lite", o.BinaryName)
	assert.Equal(t, "/run/r", o.Root)
	assert.True(t, o.SystemdCgroup)

	big := filepath.Join(t.TempDir(), "big.toml")
	require.NoError(t, os.WriteFile(big, make([]byte, maxOptionsFile+1), 0o644))
	_, err = withBinary(marshal(t, &runtimeoptions.Options{ConfigPath: big}), "/b")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "larger than")
}
