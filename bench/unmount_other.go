//go:build !linux

package main

// unmountUnder is Linux-only; elsewhere there is nothing to unmount.
func unmountUnder(string) error { return nil }
