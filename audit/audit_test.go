package audit

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var fixed = time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)

func TestForContainerStampsIDAndTime(t *testing.T) {
	var m Memory
	s := ForContainer(&m, "c1", func() time.Time { return fixed })
	s.Record(Event{Asked: "device /dev/sda (b 8:0)", Rule: RuleDevices, Verdict: Refused})
	s.Record(Event{Time: fixed.Add(time.Hour), Container: "other", Asked: "x", Rule: RuleHostPaths, Verdict: Dropped})
	got := m.Events()
	require.Len(t, got, 2)
	assert.Equal(t, Event{Time: fixed, Container: "c1", Asked: "device /dev/sda (b 8:0)", Rule: RuleDevices, Verdict: Refused}, got[0])
	assert.Equal(t, "c1", got[1].Container, "the container's ID always wins")
	assert.Equal(t, fixed.Add(time.Hour), got[1].Time, "a time already set is kept")
}

func TestFileWritesOneJSONLinePerEvent(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "log", "sysbox-lite")
	path := filepath.Join(dir, "audit.log")
	var errs []error
	f := File{Path: path, OnError: func(err error) { errs = append(errs, err) }}
	f.Record(Event{Time: fixed, Container: "c1", Asked: "device /dev/sda (b 8:0)", Rule: RuleDevices, Verdict: Refused, Reason: "host devices are not allowed"})
	f.Record(Event{Time: fixed, Container: "c2", Asked: "bind mount of /run/docker.sock", Rule: RuleHostPaths, Verdict: Refused})
	require.Empty(t, errs)

	data, err := os.ReadFile(path)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	require.Len(t, lines, 2)
	assert.Equal(t, `{"time":"2024-05-06T07:08:09Z","container":"c1","asked":"device /dev/sda (b 8:0)","rule":"devices","verdict":"refused","reason":"host devices are not allowed"}`, lines[0])
	assert.Equal(t, `{"time":"2024-05-06T07:08:09Z","container":"c2","asked":"bind mount of /run/docker.sock","rule":"hostpaths","verdict":"refused"}`, lines[1])

	st, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), st.Mode().Perm())
	st, err = os.Stat(dir)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o700), st.Mode().Perm())
}

func TestFileAppendsToExistingLog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	require.NoError(t, os.WriteFile(path, []byte("earlier\n"), 0o600))
	File{Path: path}.Record(Event{Container: "c", Rule: RuleDevices, Verdict: Dropped})
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(data), "earlier\n{"), string(data))
	var e Event
	require.NoError(t, json.Unmarshal([]byte(strings.Split(string(data), "\n")[1]), &e))
	assert.False(t, e.Time.IsZero(), "a missing time is filled in")
}

func TestFileDoesNotFollowASymlink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target")
	require.NoError(t, os.WriteFile(target, []byte("keep\n"), 0o600))
	path := filepath.Join(dir, "audit.log")
	require.NoError(t, os.Symlink(target, path))
	var got error
	File{Path: path, OnError: func(err error) { got = err }}.Record(Event{Container: "c"})
	require.Error(t, got)
	data, err := os.ReadFile(target)
	require.NoError(t, err)
	assert.Equal(t, "keep\n", string(data))
}

func TestFileUnwritableReportsAndDoesNotPanic(t *testing.T) {
	blocker := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(blocker, nil, 0o600))
	var got error
	File{Path: filepath.Join(blocker, "audit.log"), OnError: func(err error) { got = err }}.Record(Event{Container: "c"})
	require.Error(t, got)
	assert.Contains(t, got.Error(), "audit log")
	File{Path: filepath.Join(blocker, "audit.log")}.Record(Event{Container: "c"}) // no OnError: silently dropped
}

func TestFileConcurrentWritersKeepLinesWhole(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	const writers, each = 8, 50
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			f := File{Path: path}
			for i := 0; i < each; i++ {
				f.Record(Event{Container: fmt.Sprintf("c%d-%d", w, i), Asked: strings.Repeat("x", 200), Rule: RuleDevices, Verdict: Dropped})
			}
		}(w)
	}
	wg.Wait()
	fd, err := os.Open(path)
	require.NoError(t, err)
	defer fd.Close()
	n := 0
	sc := bufio.NewScanner(fd)
	for sc.Scan() {
		var e Event
		require.NoError(t, json.Unmarshal(sc.Bytes(), &e), "line %d", n)
		n++
	}
	assert.Equal(t, writers*each, n)
}

func TestDiscard(t *testing.T) {
	Discard{}.Record(Event{})
}
