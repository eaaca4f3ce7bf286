package main

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"time"
)

// bigTar copies the tar stream base to w and appends n small regular files
// (owned by 0:0, mode 0644) in nested directories:
// data/dNNN/dMM/fNNNNNN, 100 files per leaf directory, 10 leaves per
// directory above. It returns the number of entries of base and of the
// result.
func bigTar(w io.Writer, base io.Reader, n int) (baseEntries, total int, err error) {
	tr := tar.NewReader(base)
	tw := tar.NewWriter(w)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return 0, 0, fmt.Errorf("read base tar: %w", err)
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return 0, 0, err
		}
		if _, err := io.Copy(tw, tr); err != nil {
			return 0, 0, err
		}
		baseEntries++
	}
	total = baseEntries
	mtime := time.Unix(1700000000, 0)
	dir := func(name string) error {
		total++
		return tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: name, Mode: 0o755, ModTime: mtime, Format: tar.FormatPAX})
	}
	if n > 0 {
		if err := dir("data/"); err != nil {
			return 0, 0, err
		}
	}
	for i := 0; i < n; i++ {
		leaf, mid := i/100, i/1000
		if i%1000 == 0 {
			if err := dir(fmt.Sprintf("data/d%03d/", mid)); err != nil {
				return 0, 0, err
			}
		}
		if i%100 == 0 {
			if err := dir(fmt.Sprintf("data/d%03d/d%02d/", mid, leaf%10)); err != nil {
				return 0, 0, err
			}
		}
		body := []byte(fmt.Sprintf("file %d\n", i))
		hdr := &tar.Header{
			Typeflag: tar.TypeReg, Name: fmt.Sprintf("data/d%03d/d%02d/f%06d", mid, leaf%10, i),
			Mode: 0o644, Size: int64(len(body)), ModTime: mtime, Format: tar.FormatPAX,
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return 0, 0, err
		}
		if _, err := tw.Write(body); err != nil {
			return 0, 0, err
		}
		total++
	}
	return baseEntries, total, tw.Close()
}
