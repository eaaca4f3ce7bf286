package handoff

import (
	"errors"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

func TestControlPutDel(t *testing.T) {
	c, peer, err := Pair()
	require.NoError(t, err)
	defer c.Close()
	k, err := Conn(peer)
	require.NoError(t, err)
	defer k.Close()

	f, err := os.CreateTemp(t.TempDir(), "notify")
	require.NoError(t, err)
	_, err = f.WriteString("the same file")
	require.NoError(t, err)
	require.NoError(t, Put(c, 42, int(f.Fd())))
	require.NoError(t, Del(c, 42))

	m, err := Read(k)
	require.NoError(t, err)
	require.Equal(t, "put", m.Op)
	require.Equal(t, uint64(42), m.Key)
	require.NotNil(t, m.FD)
	var a, b unix.Stat_t
	require.NoError(t, unix.Fstat(int(f.Fd()), &a))
	require.NoError(t, unix.Fstat(int(m.FD.Fd()), &b))
	assert.Equal(t, a.Ino, b.Ino, "the keeper got the same open file")
	m.FD.Close()

	m, err = Read(k)
	require.NoError(t, err)
	assert.Equal(t, Msg{Op: "del", Key: 42}, m)

	_, err = c.Write([]byte("put 9")) // a put without its fd
	require.NoError(t, err)
	_, err = Read(k)
	assert.True(t, errors.Is(err, ErrBadMessage), "%v", err)

	c.Close()
	_, err = Read(k)
	require.Error(t, err, "the supervisor is gone")
	assert.False(t, errors.Is(err, ErrBadMessage), "gone is not a bad message: %v", err)
}
