//go:build !linux

package confine

import "errors"

// HostDevice finds no devices off Linux.
func HostDevice(string) (Node, bool) { return Node{}, false }

// IsHostNamespace cannot tell off Linux, so it fails (and the caller refuses).
func IsHostNamespace(string, string) (bool, error) {
	return false, errors.New("namespaces are a Linux feature")
}
