package confine

import (
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/stretchr/testify/assert"
)

func TestNormalizeImage(t *testing.T) {
	for in, want := range map[string]string{
		"busybox":                         "docker.io/library/busybox:latest",
		"busybox:1.36":                    "docker.io/library/busybox:1.36",
		"library/busybox":                 "docker.io/library/busybox:latest",
		"docker.io/busybox":               "docker.io/library/busybox:latest",
		"index.docker.io/library/busybox": "docker.io/library/busybox:latest",
		"me/app:1":                        "docker.io/me/app:1",
		"ghcr.io/me/app":                  "ghcr.io/me/app:latest",
		"localhost/app":                   "localhost/app:latest",
		"localhost:5000/app:2":            "localhost:5000/app:2",
		"busybox@sha256:abc":              "docker.io/library/busybox@sha256:abc",
		"busybox:1@sha256:abc":            "docker.io/library/busybox:1@sha256:abc",
		" docker:dind ":                   "docker.io/library/docker:dind",
	} {
		assert.Equal(t, want, normalizeImage(in), in)
	}
}

func TestImageNames(t *testing.T) {
	s := &specs.Spec{Annotations: map[string]string{
		"io.kubernetes.cri.image-name": "nginx",
		AnnotationImage:                "",
		"other":                        "x",
	}}
	assert.Equal(t, []string{"docker.io/library/nginx:latest"}, imageNames(s))
	assert.True(t, imageMatches("docker.io/library/nginx", imageNames(s)))
	assert.False(t, imageMatches("nginx:1", imageNames(s)))
	assert.Empty(t, imageNames(&specs.Spec{}))
}
