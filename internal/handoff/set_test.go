package handoff

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFilesParseRoundTrip(t *testing.T) {
	files := func(n int) []*os.File {
		var fs []*os.File
		for i := 0; i < n; i++ {
			f, err := os.CreateTemp(t.TempDir(), "fd")
			require.NoError(t, err)
			t.Cleanup(func() { f.Close() })
			fs = append(fs, f)
		}
		return fs
	}(4)
	s := Set{Listener: files[0], Inflight: files[1], Notify: map[uint64]*os.File{7: files[2], 3: files[3]}, Generation: 5}
	out, env := s.Files(4)
	require.Equal(t, []*os.File{files[0], files[1], files[3], files[2]}, out, "listener, inflight, then notify fds by key")
	require.Equal(t, EnvName+"=1 gen=5 listener=4 inflight=5 notify=6:3,7:7", env)
	p, err := Parse(env[len(EnvName)+1:])
	require.NoError(t, err)
	assert.Equal(t, Parsed{Generation: 5, Listener: 4, Inflight: 5, Notify: map[uint64]int{3: 6, 7: 7}}, p)
}

func TestParseRefuses(t *testing.T) {
	for _, v := range []string{
		"",
		"2 gen=1",                 // a layout from the future
		"x",                       // not a version
		"1 listener=2",            // stdio is never handed over
		"1 listener=3 inflight=3", // one fd named twice
		"1 notify=4:0",            // key 0 is "empty" in the in-flight table
		"1 notify=4:1,5:1",        // one key twice
		"1 notify=4",              // no key
		"1 gen",                   // no value
		"1 gen=-1",                // not a count
		"1 listener=3 notify=3:9", // one fd as two things
	} {
		_, err := Parse(v)
		assert.Error(t, err, "%q", v)
	}
	p, err := Parse("1 gen=2 future=thing")
	require.NoError(t, err, "fields of a newer layout of the same version are skipped")
	assert.Equal(t, -1, p.Listener)
}

func TestInheritNone(t *testing.T) {
	t.Setenv(EnvName, "")
	os.Unsetenv(EnvName)
	_, ok, err := Inherit()
	require.NoError(t, err)
	assert.False(t, ok, "no handoff: a first start")
}
