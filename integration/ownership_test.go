//go:build linux

package integration

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestHostOwnership: what the container root writes in its root lands in
// docker's upper dir owned by host uid 0 (as under plain runc), so docker
// commit and docker cp see ordinary files.
func TestHostOwnership(t *testing.T) {
	s := setup(t)
	image := "sbl-commit:" + strings.ToLower(t.Name())
	t.Cleanup(func() { s.docker(t, "rmi", "-f", image) })
	name := s.container(t, "")
	s.startDetached(t, name, nil, "sleep", "1000")
	s.mustDocker(t, "exec", name, "sh", "-c", "echo data > /created && mkdir /cdir && chown 1000:1000 /cdir && echo tester > /home/tester/t && chown 1000:1000 /home/tester/t")

	upper := s.inspect(t, name, "{{.GraphDriver.Data.UpperDir}}")
	require.True(t, isUnder(upper, s.daemonDir), "upper dir %s is in the private daemon", upper)
	for _, f := range []struct {
		path     string
		uid, gid uint32
	}{
		{"created", 0, 0},
		{"cdir", 1000, 1000},
		{"home/tester/t", 1000, 1000},
	} {
		u, g := fileOwner(t, filepath.Join(upper, f.path))
		assert.Equal(t, [2]uint32{f.uid, f.gid}, [2]uint32{u, g}, "host owner of %s in the upper dir", f.path)
	}
	data, err := os.ReadFile(filepath.Join(upper, "created"))
	require.NoError(t, err)
	assert.Equal(t, "data\n", string(data))

	s.mustDocker(t, "stop", "-t", "1", name)

	// docker cp from the stopped container
	out := s.mkTempDir(t, "cp-")
	s.mustDocker(t, "cp", name+":/created", out+"/")
	data, err = os.ReadFile(filepath.Join(out, "created"))
	require.NoError(t, err)
	assert.Equal(t, "data\n", string(data))

	// docker commit, then the files in a new container
	s.mustDocker(t, "commit", name, image)
	check := s.container(t, "check")
	got := s.mustDocker(t, append(runArgs("--rm", "--name", check, image),
		"sh", "-c", "stat -c '%n %u:%g' /created /cdir /home/tester/t; cat /created")...)
	assert.Equal(t, "/created 0:0\n/cdir 1000:1000\n/home/tester/t 1000:1000\ndata", got)
}
