//go:build !linux

package userns

import "errors"

// lockFile is only implemented on Linux.
func lockFile(string, bool) (func(), error) {
	return nil, errors.New("lock id allocation state: only supported on linux")
}
