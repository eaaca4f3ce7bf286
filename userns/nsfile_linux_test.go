package userns

import (
	"os"
	"path/filepath"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNamespaceFiles(t *testing.T) {
	f, err := OpenNamespaceFile(specs.NetworkNamespace, "/proc/self/ns/net")
	require.NoError(t, err)
	defer f.Close()
	id, err := NamespaceIDOf(f)
	require.NoError(t, err)
	at, err := NamespaceIDAt("/proc/self/ns/net")
	require.NoError(t, err)
	assert.Equal(t, at, id)

	owner, err := OwningUserNamespace(f)
	require.NoError(t, err)
	defer owner.Close()
	ownerID, err := NamespaceIDOf(owner)
	require.NoError(t, err)
	self, err := NamespaceIDAt("/proc/self/ns/user")
	require.NoError(t, err)
	assert.Equal(t, self, ownerID, "our network namespace belongs to our user namespace")
	host, err := HostUserNamespaces()
	require.NoError(t, err)
	assert.Equal(t, self, host[0])

	_, err = OpenNamespaceFile(specs.PIDNamespace, "/proc/self/ns/net")
	assert.EqualError(t, err, "/proc/self/ns/net is not a pid namespace")
	plain := filepath.Join(t.TempDir(), "plain")
	require.NoError(t, os.WriteFile(plain, nil, 0o600))
	_, err = OpenNamespaceFile(specs.NetworkNamespace, plain)
	assert.EqualError(t, err, plain+" is not a namespace file")
	_, err = OpenNamespaceFile(specs.NetworkNamespace, "/nonexistent")
	assert.ErrorIs(t, err, os.ErrNotExist)
	_, err = OpenNamespaceFile("bogus", "/proc/self/ns/net")
	assert.ErrorContains(t, err, "unknown namespace type")
}

func TestProcessStartTimeAndRange(t *testing.T) {
	st, err := ProcessStartTime(os.Getpid())
	require.NoError(t, err)
	assert.NotZero(t, st)
	again, err := ProcessStartTime(os.Getpid())
	require.NoError(t, err)
	assert.Equal(t, st, again)
	_, err = ProcessStartTime(-1)
	assert.Error(t, err)

	r, ok, err := ProcessRange(os.Getpid())
	require.NoError(t, err)
	if ok { // the initial user namespace: 0 0 4294967295
		assert.Equal(t, r.UID == 0, r.GID == 0)
		assert.NotZero(t, r.Size)
	}
}
