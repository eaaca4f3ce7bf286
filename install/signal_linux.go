package install

import "syscall"

func kill(pid int, sig syscall.Signal) error { return syscall.Kill(pid, sig) }
