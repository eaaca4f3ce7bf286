//go:build !linux

package confine

import "errors"

// HostInspect cannot tell off Linux, so it fails (and the caller refuses).
func HostInspect(string) (PathInfo, error) {
	return PathInfo{}, errors.New("inspecting host paths is a Linux feature")
}

// HostRootSockets cannot tell off Linux, so it fails (and the caller refuses).
func HostRootSockets(string) ([]string, error) {
	return nil, errors.New("inspecting host paths is a Linux feature")
}

// HostMounts cannot tell off Linux, so it fails (and the caller refuses).
func HostMounts() ([]Mount, error) {
	return nil, errors.New("mount tables are a Linux feature")
}
