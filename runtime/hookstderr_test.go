package runtime

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/sirupsen/logrus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHooksStderrCrunOnly(t *testing.T) {
	dir := t.TempDir()
	crun := &Runtime{Engine: Engine{Path: "/usr/bin/crun"}}
	var spec specs.Spec
	crun.captureHooksStderr(&spec, dir)
	assert.Equal(t, filepath.Join(dir, hooksStderrName), spec.Annotations[crunHooksStderrAnnotation])

	own := specs.Spec{Annotations: map[string]string{crunHooksStderrAnnotation: "/var/log/mine"}}
	crun.captureHooksStderr(&own, dir)
	assert.Equal(t, "/var/log/mine", own.Annotations[crunHooksStderrAnnotation], "the caller's file is kept")

	var runcSpec specs.Spec
	(&Runtime{Engine: Engine{Path: "/usr/sbin/runc"}}).captureHooksStderr(&runcSpec, dir)
	assert.Empty(t, runcSpec.Annotations, "runc puts a hook's stderr in its own error")
}

func TestHooksStderrReported(t *testing.T) {
	dir := t.TempDir()
	var buf bytes.Buffer
	log := logrus.New()
	log.SetOutput(&buf)
	log.SetFormatter(&logrus.JSONFormatter{})
	rt := &Runtime{Engine: Engine{Path: "/usr/bin/crun"}, Log: log}

	rt.reportHooksStderr(dir) // no file
	assert.Empty(t, buf.String())

	path := filepath.Join(dir, hooksStderrName)
	require.NoError(t, os.WriteFile(path, []byte("\n"), 0o600))
	rt.reportHooksStderr(dir)
	assert.Empty(t, buf.String(), "an empty file says nothing")

	require.NoError(t, os.WriteFile(path, []byte("a warning\nsysbox-lite: cgroup hook: delegate /sys/fs/cgroup/x: permission denied\n"), 0o600))
	rt.reportHooksStderr(dir)
	assert.Contains(t, buf.String(), `"level":"error"`)
	assert.Contains(t, buf.String(), `"msg":"sysbox-lite: a hook failed under crun: cgroup hook: delegate /sys/fs/cgroup/x: permission denied"`)
}
