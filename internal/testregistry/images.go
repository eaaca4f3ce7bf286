package testregistry

import (
	"fmt"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
)

// PauseImage is the sandbox (pause) image the CRI containerd is told to use.
const PauseImage = "registry.k8s.io/pause:3.9"

// BusyboxImage is the default container image of cri-tools (and of our
// CRI tests).
const BusyboxImage = "registry.k8s.io/e2e-test-images/busybox:1.29-2"

const (
	e2e     = "registry.k8s.io/e2e-test-images/"
	critest = "gcr.io/k8s-staging-cri-tools/"
)

// imageDef is one image and the references it is pushed under.
type imageDef struct {
	refs       []string
	user       string
	entrypoint []string
	cmd        []string
	// marker, when set, is written to /<marker>: images with different
	// markers have different digests (cri-tools' image-test Dockerfile
	// adds a file named after the image the same way).
	marker string
}

// httpd serves /usr/share/nginx/html on port, in the foreground, logging
// to stderr (the container log then holds "httpd").
func httpd(port int) []string {
	return []string{"httpd", "-f", "-vv", "-p", fmt.Sprint(port), "-h", "/usr/share/nginx/html"}
}

// defs lists every image, as the CRI tests and cri-tools v1.37.0's critest
// name them (pkg/validate/consts.go, consts_linux.go,
// security_context_linux.go, multi_container_linux.go, framework/util.go;
// images/build for the users). Not served: test-image-digest, pulled by a
// digest of upstream's build that a local build cannot have.
func defs() []imageDef {
	d := []imageDef{
		{refs: []string{PauseImage, "k8s.gcr.io/pause:3.9", "registry.k8s.io/pause:3.10"}, entrypoint: []string{"/pause"}},
		{refs: []string{BusyboxImage}},
		{refs: []string{e2e + "nginx:1.14-2"}, entrypoint: httpd(80)},
		{refs: []string{e2e + "httpd:2.4.39-4"}, entrypoint: httpd(80)},
		{refs: []string{critest + "hostnet-nginx-amd64"}, entrypoint: httpd(12003)},
		{refs: []string{e2e + "nonewprivs:1.3"}, entrypoint: []string{"/usr/local/bin/nonewprivs"}},
		{refs: []string{critest + "test-image-user-uid"}, user: "1002"},
		{refs: []string{critest + "test-image-user-username"}, user: "www-data"},
		{refs: []string{critest + "test-image-user-uid-group"}, user: "1003:1004"},
		{refs: []string{critest + "test-image-user-username-group"}, user: "www-data:1004"},
		{refs: []string{critest + "test-image-predefined-group"}, user: "1000"},
		{refs: []string{critest + "test-image-tag:test", critest + "test-image-tag:all"}, marker: "test-image-tag"},
		{refs: []string{critest + "test-image-latest"}, marker: "test-image-latest"},
		{refs: []string{critest + "test-image-tags:1", critest + "test-image-tags:2", critest + "test-image-tags:3"}, marker: "same-image"},
	}
	for i := 1; i <= 3; i++ {
		name := fmt.Sprintf("test-image-%d", i)
		d = append(d, imageDef{refs: []string{critest + name + ":latest"}, marker: name})
	}
	return d
}

// Image is one built image and the references it goes under.
type Image struct {
	Refs  []string
	Image v1.Image
}

// Build builds every test image on one busybox root layer (the static
// busybox at busybox and the multi-call testbin, see testbin/).
func Build(busybox, testbin string) ([]Image, error) {
	base, err := rootLayer(busybox, testbin)
	if err != nil {
		return nil, err
	}
	var out []Image
	for _, d := range defs() {
		img, err := mutate.AppendLayers(empty.Image, base)
		if err != nil {
			return nil, fmt.Errorf("build %s: %w", d.refs[0], err)
		}
		if d.marker != "" {
			l, err := markerLayer(d.marker)
			if err != nil {
				return nil, err
			}
			if img, err = mutate.AppendLayers(img, l); err != nil {
				return nil, fmt.Errorf("build %s: %w", d.refs[0], err)
			}
		}
		cf, err := img.ConfigFile()
		if err != nil {
			return nil, err
		}
		cf = cf.DeepCopy()
		cf.OS, cf.Architecture = "linux", goarch()
		cmd := d.cmd
		if cmd == nil && d.entrypoint == nil {
			cmd = []string{"sh"} // busybox's default, as FROM busybox gives
		}
		cf.Config = v1.Config{
			User:       d.user,
			Entrypoint: d.entrypoint,
			Cmd:        cmd,
			Env:        []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
		}
		if img, err = mutate.ConfigFile(img, cf); err != nil {
			return nil, fmt.Errorf("build %s: %w", d.refs[0], err)
		}
		out = append(out, Image{Refs: d.refs, Image: img})
	}
	return out, nil
}
