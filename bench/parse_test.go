package main

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPreparedElapsed(t *testing.T) {
	log := strings.Join([]string{
		`time="2026-11-27T09:23:07Z" level=debug msg="bundle prepared, running the engine" elapsed=18.8953ms`,
		`time="2026-11-27T09:23:07Z" level=debug msg="container prepared" id=x`,
		`time="2026-11-27T09:23:08Z" level=debug msg="bundle prepared, running the engine" elapsed="950µs"`,
		`time="2026-11-27T09:23:09Z" level=debug msg="bundle prepared, running the engine" elapsed=1.5s`,
		`garbage`,
	}, "\n")
	assert.Equal(t, []float64{18895300, 950000, 1.5e9}, preparedElapsed(log))
	assert.Empty(t, preparedElapsed(""))
}

func TestParseNsPerOp(t *testing.T) {
	v, errno, err := parseNsPerOp("107.83 ns/op\n")
	require.NoError(t, err)
	assert.InDelta(t, 107.83, v, 1e-9)
	assert.Empty(t, errno)
	v, errno, err = parseNsPerOp("5012.5 ns/op EPERM\n")
	require.NoError(t, err)
	assert.InDelta(t, 5012.5, v, 1e-9)
	assert.Equal(t, "EPERM", errno)
	for _, bad := range []string{"", "ERR EPERM", "12 ms/op", "x ns/op", "1 2 ns/op", "1 ns/op a b"} {
		_, _, err := parseNsPerOp(bad)
		assert.Error(t, err, bad)
	}
}

func TestBigTar(t *testing.T) {
	var base bytes.Buffer
	tw := tar.NewWriter(&base)
	require.NoError(t, tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: "bin/", Mode: 0o755}))
	require.NoError(t, tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: "bin/busybox", Mode: 0o755, Size: 3}))
	_, err := tw.Write([]byte("abc"))
	require.NoError(t, err)
	require.NoError(t, tw.WriteHeader(&tar.Header{Typeflag: tar.TypeLink, Name: "bin/sh", Linkname: "bin/busybox"}))
	require.NoError(t, tw.Close())

	var out bytes.Buffer
	baseEntries, total, err := bigTar(&out, &base, 2500)
	require.NoError(t, err)
	assert.Equal(t, 3, baseEntries)
	// 2500 files in data/, 3 directories d000..d002, 25 leaves
	assert.Equal(t, 3+1+3+25+2500, total)

	tr := tar.NewReader(&out)
	names := map[string]*tar.Header{}
	n := 0
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		names[h.Name] = h
		n++
		if h.Name == "bin/busybox" {
			data, err := io.ReadAll(tr)
			require.NoError(t, err)
			assert.Equal(t, "abc", string(data))
		}
	}
	assert.Equal(t, total, n)
	assert.Equal(t, "bin/busybox", names["bin/sh"].Linkname, "hard links survive")
	require.Contains(t, names, "data/d002/d04/f002499")
	f := names["data/d002/d04/f002499"]
	assert.Equal(t, 0, f.Uid)
	assert.Equal(t, int64(0o644), f.Mode)
	assert.Contains(t, names, "data/d001/d00/")
	for name := range names {
		if strings.HasPrefix(name, "data/") && !strings.HasSuffix(name, "/") {
			dir := name[:strings.LastIndex(name, "/")+1]
			assert.Contains(t, names, dir, "the parent of %s is in the archive", name)
		}
	}
}

func TestParseEngineLogAndSplitPhase(t *testing.T) {
	log := "100 200 --root /r --log /l --log-format json create --bundle /b id1\n" +
		"garbage line\n" +
		"250 260 --root /r state id1\n" +
		"400 450 --root /r delete id1\n" +
		"500 510 --version\n"
	calls := parseEngineLog(log)
	require.Len(t, calls, 4)
	assert.Equal(t, engineCall{start: 100, end: 200, command: "create"}, calls[0])
	assert.Equal(t, "state", calls[1].command)
	assert.Equal(t, "--version", calls[3].command)

	c, ok := splitPhase(calls, 90, 300, "create")
	require.True(t, ok)
	assert.Equal(t, 10.0, c.before)
	assert.Equal(t, 100.0, c.engine)
	assert.Equal(t, 100.0, c.after)
	assert.Equal(t, map[string]int{"state": 1}, c.otherCalls)

	_, ok = splitPhase(calls, 300, 399, "delete")
	assert.False(t, ok, "no delete in the window")
}

func TestWithSeccompOfAndSpecChanges(t *testing.T) {
	rewritten := map[string]any{
		"mounts": []any{map[string]any{"destination": "/proc"}, map[string]any{"destination": "/proc/meminfo"}},
		"linux": map[string]any{
			"namespaces": []any{map[string]any{"type": "pid"}, map[string]any{"type": "user"}},
			"seccomp": map[string]any{
				"defaultAction": "SCMP_ACT_ALLOW",
				"listenerPath":  "/run/x.sock",
				"syscalls": []any{
					map[string]any{"names": []any{"mount", "umount2"}, "action": "SCMP_ACT_NOTIFY"},
					map[string]any{"names": []any{"bpf"}, "action": "SCMP_ACT_ERRNO"},
				},
			},
		},
		"hooks": map[string]any{"createContainer": []any{map[string]any{"path": "/usr/bin/sysbox-lite", "args": []any{"sysbox-lite", "fsemu-hook", "/x"}}}},
	}
	orig := map[string]any{
		"mounts": []any{map[string]any{"destination": "/proc"}},
		"linux":  map[string]any{"namespaces": []any{map[string]any{"type": "pid"}}},
	}
	spec := map[string]any{}
	withSeccompOf(rewritten)(spec)
	sc := spec["linux"].(map[string]any)["seccomp"].(map[string]any)
	assert.NotContains(t, sc, "listenerPath")
	assert.Equal(t, "SCMP_ACT_ERRNO", sc["syscalls"].([]any)[0].(map[string]any)["action"])
	assert.Equal(t, "SCMP_ACT_NOTIFY", rewritten["linux"].(map[string]any)["seccomp"].(map[string]any)["syscalls"].([]any)[0].(map[string]any)["action"], "the source is not changed")

	got := specChanges(orig, rewritten)
	assert.Contains(t, got, "namespaces pid, user")
	assert.Contains(t, got, "2 spec mounts (runc's own: 1;")
	assert.Contains(t, got, "a seccomp filter (2 rules over 3 syscall names) and a notify listener")
	assert.Contains(t, got, "createContainer hook `sysbox-lite fsemu-hook`")
}
