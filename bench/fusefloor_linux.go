package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

// fuseFloor is the least a FUSE file can cost on this machine: one file
// whose content is fixed (a copy of the host's /proc/meminfo, taken once),
// served by go-fuse from this process with nothing computed, opened with
// direct I/O as sysbox-lite's emulated files are. Reading it (open, read to
// EOF, close) is the floor under which no FUSE emulation can go: what an
// emulated file costs above it is sysbox-lite's own work.
type fuseFloor struct {
	dir string
	srv *fuse.Server
}

// File is the path of the floor's file.
func (f *fuseFloor) File() string { return filepath.Join(f.dir, "meminfo") }

// mountFuseFloor mounts the floor file system in a new directory under tmp.
func mountFuseFloor(tmp string) (*fuseFloor, error) {
	content, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return nil, fmt.Errorf("fuse floor: %w", err)
	}
	dir, err := os.MkdirTemp(tmp, "fuse-floor.")
	if err != nil {
		return nil, fmt.Errorf("fuse floor: %w", err)
	}
	timeout := time.Minute
	root := &floorDir{}
	srv, err := fs.Mount(dir, root, &fs.Options{
		EntryTimeout: &timeout,
		AttrTimeout:  &timeout,
		MountOptions: fuse.MountOptions{DirectMountStrict: true, FsName: "sbl-bench-floor", DisableXAttrs: true},
		OnAdd: func(ctx context.Context) {
			ch := root.NewPersistentInode(ctx, &floorFile{content: content}, fs.StableAttr{Mode: syscall.S_IFREG})
			root.AddChild("meminfo", ch, true)
		},
	})
	if err != nil {
		_ = os.Remove(dir)
		return nil, fmt.Errorf("fuse floor: mount: %w", err)
	}
	return &fuseFloor{dir: dir, srv: srv}, nil
}

// Close unmounts the floor and removes its directory.
func (f *fuseFloor) Close() error {
	err := f.srv.Unmount()
	f.srv.Wait()
	if rerr := os.Remove(f.dir); err == nil {
		err = rerr
	}
	return err
}

type floorDir struct{ fs.Inode }

type floorFile struct {
	fs.Inode
	content []byte
}

var (
	_ = (fs.NodeOpener)((*floorFile)(nil))
	_ = (fs.NodeGetattrer)((*floorFile)(nil))
	_ = (fs.NodeReader)((*floorFile)(nil))
)

func (f *floorFile) Getattr(ctx context.Context, fh fs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	out.Mode = syscall.S_IFREG | 0o444
	return 0
}

func (f *floorFile) Open(ctx context.Context, flags uint32) (fs.FileHandle, uint32, syscall.Errno) {
	return nil, fuse.FOPEN_DIRECT_IO | fuse.FOPEN_NOFLUSH, 0
}

func (f *floorFile) Read(ctx context.Context, fh fs.FileHandle, dest []byte, off int64) (fuse.ReadResult, syscall.Errno) {
	if off >= int64(len(f.content)) {
		return fuse.ReadResultData(nil), 0
	}
	return fuse.ReadResultData(f.content[off:]), 0
}
