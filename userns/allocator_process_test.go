package userns

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Environment of the helper process that TestAllocatorProcesses starts.
const (
	helperEnv       = "USERNS_TEST_HELPER" // "allocate" or "release"
	helperPathEnv   = "USERNS_TEST_STATE"
	helperWorkerEnv = "USERNS_TEST_WORKER"
)

const (
	processWorkers = 16
	processKeys    = 20
)

var processPool = Pool{UIDStart: 100000, GIDStart: 100000, Slots: processWorkers * processKeys, SlotSize: 65536}

func processKey(worker, i int) string { return fmt.Sprintf("w%02d-k%02d", worker, i) }

// TestHelperProcess is not a test: it is the child that TestAllocatorProcesses
// runs, once per worker, to allocate or release that worker's keys.
func TestHelperProcess(t *testing.T) {
	mode := os.Getenv(helperEnv)
	if mode == "" {
		t.Skip("helper process for TestAllocatorProcesses")
	}
	worker, err := strconv.Atoi(os.Getenv(helperWorkerEnv))
	require.NoError(t, err)
	a := NewFileAllocator(os.Getenv(helperPathEnv), processPool, nil)
	for i := range processKeys {
		key := processKey(worker, i)
		switch mode {
		case "allocate":
			var r Range
			r, err = a.Allocate(key, Owner{ID: key})
			fmt.Printf("range %s %d %d %d\n", key, r.UID, r.GID, r.Size)
		case "release":
			err = a.Release(key)
		default:
			err = fmt.Errorf("unknown mode %q", mode)
		}
		require.NoError(t, err, key)
	}
}

// runHelpers runs the workers at once and returns the ranges they report.
func runHelpers(t *testing.T, path, mode string) map[string]Range {
	t.Helper()
	var wg sync.WaitGroup
	outs := make([][]byte, processWorkers)
	errs := make([]error, processWorkers)
	for w := range processWorkers {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
		cmd.Env = append(os.Environ(), helperEnv+"="+mode, helperPathEnv+"="+path, helperWorkerEnv+"="+strconv.Itoa(w))
		wg.Go(func() { outs[w], errs[w] = cmd.CombinedOutput() })
	}
	wg.Wait()
	got := map[string]Range{}
	for w := range processWorkers {
		require.NoError(t, errs[w], "worker %d (%s):\n%s", w, mode, outs[w])
		for _, line := range strings.Split(string(outs[w]), "\n") {
			var key string
			var r Range
			if _, err := fmt.Sscanf(line, "range %s %d %d %d", &key, &r.UID, &r.GID, &r.Size); err == nil {
				got[key] = r
			}
		}
	}
	return got
}

func TestAllocatorProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 32 processes")
	}
	path := filepath.Join(t.TempDir(), "ranges.json")
	handed := runHelpers(t, path, "allocate")
	require.Len(t, handed, int(processPool.Slots), "every worker reports every range it was handed")

	a := NewFileAllocator(path, processPool, nil)
	entries, err := a.List()
	require.NoError(t, err, "the state file is valid")
	require.Len(t, entries, int(processPool.Slots))
	ranges := make([]Range, len(entries))
	keys := map[string]bool{}
	for i, e := range entries {
		ranges[i] = e.Range
		keys[e.Key] = true
		assert.Equal(t, processPool.Range(e.Slot), e.Range)
		assert.Equal(t, handed[e.Key], e.Range, "the file records the range %s was handed", e.Key)
	}
	assert.Len(t, keys, int(processPool.Slots))
	assertDisjoint(t, ranges)

	_, err = a.Allocate("one-too-many", Owner{})
	require.ErrorIs(t, err, ErrExhausted)

	assert.Empty(t, runHelpers(t, path, "release"))
	entries, err = a.List()
	require.NoError(t, err)
	assert.Empty(t, entries)
}
