package main

import (
	"fmt"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// fileChurn is one round of what a build does to its output directory, on
// files of its own in dir: make a directory, create a source file and write
// 4 KiB, stat it, read it back, write an object file next to it, rename it
// into place, chmod it executable, list the directory, then remove all of
// it. Every call goes through the mount's permission and ownership checks.
func fileChurn(dir string) func() error {
	data := make([]byte, 4096)
	buf := make([]byte, 4096)
	i := 0
	return func() error {
		i++
		d := filepath.Join(dir, fmt.Sprintf("churn-%d", i))
		src, obj, out := filepath.Join(d, "a.c"), filepath.Join(d, "a.o.tmp"), filepath.Join(d, "a.o")
		steps := []func() error{
			func() error { return unix.Mkdir(d, 0o755) },
			func() error { return writeFile(src, data) },
			func() error { var st unix.Stat_t; return unix.Stat(src, &st) },
			func() error { return readAll(src, buf) },
			func() error { return writeFile(obj, data) },
			func() error { return unix.Rename(obj, out) },
			func() error { return unix.Chmod(out, 0o755) },
			func() error { return listDir(d) },
			func() error { return unix.Unlink(src) },
			func() error { return unix.Unlink(out) },
			func() error { return unix.Rmdir(d) },
		}
		for _, step := range steps {
			if err := step(); err != nil {
				return err
			}
		}
		return nil
	}
}

func writeFile(path string, data []byte) error {
	fd, err := unix.Open(path, unix.O_WRONLY|unix.O_CREAT|unix.O_TRUNC|unix.O_CLOEXEC, 0o644)
	if err != nil {
		return err
	}
	if _, err := unix.Write(fd, data); err != nil {
		unix.Close(fd)
		return err
	}
	return unix.Close(fd)
}

func listDir(dir string) error {
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	buf := make([]byte, 4096)
	for {
		n, err := unix.Getdents(fd, buf)
		if err != nil {
			unix.Close(fd)
			return err
		}
		if n == 0 {
			return unix.Close(fd)
		}
	}
}
