package confine

import (
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// imageAnnotations name the container's image, where an engine says it:
// containerd's CRI plugin (Kubernetes), the OCI image annotation, and
// sysbox-lite's own. Docker 20.10 puts no image name in the spec.
var imageAnnotations = []string{
	"io.kubernetes.cri.image-name",
	"org.opencontainers.image.ref.name",
	AnnotationImage,
}

// imageNames returns the normalized image names a spec's annotations give.
func imageNames(spec *specs.Spec) []string {
	var out []string
	for _, k := range imageAnnotations {
		if v := strings.TrimSpace(spec.Annotations[k]); v != "" {
			out = append(out, normalizeImage(v))
		}
	}
	return out
}

// imageMatches reports whether any of names is the policy's image.
func imageMatches(policyImage string, names []string) bool {
	want := normalizeImage(policyImage)
	for _, n := range names {
		if n == want {
			return true
		}
	}
	return false
}

// normalizeImage writes an image reference the way docker and containerd
// resolve it: "busybox" is "docker.io/library/busybox:latest",
// "me/app:1" is "docker.io/me/app:1"; a reference with a registry
// (a first component with "." or ":", or "localhost") keeps it, and one
// with a digest gets no default tag.
func normalizeImage(ref string) string {
	ref = strings.TrimSpace(ref)
	name, digest, hasDigest := strings.Cut(ref, "@")
	tag := ""
	if i := strings.LastIndex(name, ":"); i > strings.LastIndex(name, "/") {
		name, tag = name[:i], name[i+1:]
	}
	domain, rest, hasSlash := strings.Cut(name, "/")
	if !hasSlash || (!strings.ContainsAny(domain, ".:") && domain != "localhost") {
		domain, rest = "docker.io", name
	}
	if domain == "index.docker.io" {
		domain = "docker.io"
	}
	if domain == "docker.io" && !strings.Contains(rest, "/") {
		rest = "library/" + rest
	}
	out := domain + "/" + rest
	if tag == "" && !hasDigest {
		tag = "latest"
	}
	if tag != "" {
		out += ":" + tag
	}
	if hasDigest {
		out += "@" + digest
	}
	return out
}
