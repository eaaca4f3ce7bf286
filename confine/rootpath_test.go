package confine

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sysbox-lite/sysbox-lite/audit"
)

func TestCheckRoot(t *testing.T) {
	for _, ok := range []string{
		"/var/lib/docker/overlay2/0123/merged",
		"/run/containerd/io.containerd.runtime.v2.task/default/c1/rootfs",
		"/tmp/bundle/rootfs",
		"/srv/images/alpine",
	} {
		assert.NoError(t, CheckRoot(ok, audit.Discard{}), ok)
	}
	for root, want := range map[string]string{
		"/":          "it contains /bin",
		"/etc":       "it is /etc",
		"/usr/lib/x": "inside /usr",
		"/run":       "it contains /run/",
		"/var/lib":   "it contains /var/lib/docker",
	} {
		var m audit.Memory
		err := CheckRoot(root, &m)
		require.Error(t, err, root)
		var r *Refusal
		require.ErrorAs(t, err, &r)
		assert.Contains(t, err.Error(), "sysbox-lite: the container root "+root+" is refused: ")
		assert.Contains(t, err.Error(), want, root)
		require.Len(t, m.Events(), 1)
		assert.Equal(t, audit.Refused, m.Events()[0].Verdict)
	}
}
