package confine

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/stretchr/testify/require"
)

// realSpecs are the engines' own config.json files (see runtime/testdata/README.md).
var realSpecs = []string{"docker-default", "docker-privileged", "docker-options", "ctr-default", "ctr-privileged"}

func loadSpec(t *testing.T, name string) *specs.Spec {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "runtime", "testdata", name+".json"))
	require.NoError(t, err)
	var s specs.Spec
	require.NoError(t, json.Unmarshal(data, &s))
	return &s
}

// fakeDevices is a host with the usual nodes plus /dev/kvm.
func fakeDevices(p string) (Node, bool) {
	n, ok := map[string]Node{
		"/dev/fuse":    {"c", 10, 229},
		"/dev/net/tun": {"c", 10, 200},
		"/dev/kvm":     {"c", 10, 232},
		"/dev/sda":     {"b", 8, 0},
	}[p]
	return n, ok
}

func noDevices(string) (Node, bool) { return Node{}, false }

// fakeResolve resolves /var/run to /run and /srv/etc-link to /etc.
func fakeResolve(p string) (string, error) {
	for from, to := range map[string]string{"/var/run": "/run", "/srv/etc-link": "/etc"} {
		if p == from || strings.HasPrefix(p, from+"/") {
			return to + strings.TrimPrefix(p, from), nil
		}
	}
	return p, nil
}
