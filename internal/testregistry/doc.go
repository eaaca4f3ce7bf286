// Package testregistry serves container images for the CRI tests without
// any real registry: an in-memory OCI registry (go-containerregistry's
// pkg/registry) listening on 127.0.0.1 only, filled with small images built
// here from the host's static busybox under the references that the tests
// and cri-tools' critest pull (registry.k8s.io/pause:3.9,
// registry.k8s.io/e2e-test-images/busybox:1.29-2, ...). containerd reaches
// it through registry mirrors (hosts.toml) that point those registries at
// http://127.0.0.1:PORT, so nothing ever leaves the machine.
package testregistry
