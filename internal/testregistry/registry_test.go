package testregistry

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPushAndPull builds every image (from the host's static busybox and a
// stand-in testbin), serves them on 127.0.0.1 and pulls each reference
// back: same digest, the config as defined.
func TestPushAndPull(t *testing.T) {
	if _, err := os.Stat("/bin/busybox"); err != nil {
		t.Skip("no /bin/busybox (busybox-static)")
	}
	testbin := filepath.Join(t.TempDir(), "testbin")
	require.NoError(t, os.WriteFile(testbin, []byte("#!/bin/sh\n"), 0o755))
	images, err := Build("/bin/busybox", testbin)
	require.NoError(t, err)
	srv, err := Start(0)
	require.NoError(t, err)
	defer srv.Close()
	assert.Regexp(t, `^127\.0\.0\.1:\d+$`, srv.Addr)
	require.NoError(t, srv.Push(images))

	users := map[string]string{}
	digests := map[string]string{}
	for _, img := range images {
		want, err := img.Image.Digest()
		require.NoError(t, err)
		for _, ref := range img.Refs {
			local, err := srv.Local(ref)
			require.NoError(t, err)
			got, err := remote.Image(local)
			require.NoError(t, err, ref)
			d, err := got.Digest()
			require.NoError(t, err)
			assert.Equal(t, want, d, ref)
			cf, err := got.ConfigFile()
			require.NoError(t, err)
			users[ref] = cf.Config.User
			digests[ref] = d.String()
		}
	}
	const critest = "gcr.io/k8s-staging-cri-tools/"
	assert.Equal(t, "1003:1004", users[critest+"test-image-user-uid-group"])
	assert.Equal(t, "www-data", users[critest+"test-image-user-username"])
	assert.Equal(t, digests[critest+"test-image-tags:1"], digests[critest+"test-image-tags:2"], "one image, several tags")
	assert.NotEqual(t, digests[critest+"test-image-1:latest"], digests[critest+"test-image-2:latest"], "different images")
	assert.Equal(t, digests[PauseImage], digests["k8s.gcr.io/pause:3.9"], "the same image from two registries")
}

func TestLocal(t *testing.T) {
	s := &Server{Addr: "127.0.0.1:5000"}
	for ref, want := range map[string]string{
		"registry.k8s.io/pause:3.9":                      "127.0.0.1:5000/pause:3.9",
		"registry.k8s.io/e2e-test-images/busybox:1.29-2": "127.0.0.1:5000/e2e-test-images/busybox:1.29-2",
		"gcr.io/k8s-staging-cri-tools/test-image-latest": "127.0.0.1:5000/k8s-staging-cri-tools/test-image-latest:latest",
		"docker.io/library/busybox:1.37":                 "127.0.0.1:5000/library/busybox:1.37",
	} {
		got, err := s.Local(ref)
		require.NoError(t, err)
		assert.Equal(t, want, got.String(), ref)
	}
}
