//go:build !linux

package install

import (
	"errors"
	"syscall"
)

func kill(int, syscall.Signal) error {
	return errors.New("signalling processes is only supported on linux")
}
