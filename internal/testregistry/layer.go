package testregistry

import (
	"archive/tar"
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"runtime"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

func goarch() string { return runtime.GOARCH }

// passwd and group: root, www-data (33, as in busybox images),
// default-user (1000) in group-defined-in-image (50000) for cri-tools'
// predefined-group image, nobody.
const (
	passwd = `root:x:0:0:root:/root:/bin/sh
www-data:x:33:33:www-data:/var/www:/bin/false
default-user:x:1000:1000::/home/default-user:/bin/sh
nobody:x:65534:65534:nobody:/home:/bin/false
`
	group = `root:x:0:
www-data:x:33:
default-user:x:1000:
group-defined-in-image:x:50000:default-user
nogroup:x:65534:
`
	indexHTML = "<html><body>sysbox-lite test web server</body></html>\n"
)

// tarWriter writes one layer's entries (owned by root unless told).
type tarWriter struct{ tw *tar.Writer }

func (w tarWriter) dir(name string, mode int64) error {
	return w.tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: name + "/", Mode: mode})
}

func (w tarWriter) file(name string, mode int64, data []byte) error {
	if err := w.tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: mode, Size: int64(len(data))}); err != nil {
		return err
	}
	_, err := w.tw.Write(data)
	return err
}

func (w tarWriter) link(name, target string) error {
	// containerd applies a link entry's mode to the shared inode: repeat it
	return w.tw.WriteHeader(&tar.Header{Typeflag: tar.TypeLink, Name: name, Linkname: target, Mode: 0o755})
}

// rootLayer is the busybox root filesystem: a copy of busybox with every
// applet of `busybox --list-full` as a hard link to it, testbin as /pause,
// /usr/bin/ipcs and a setuid-root /usr/local/bin/nonewprivs, users, a web
// root.
func rootLayer(busybox, testbin string) (v1.Layer, error) {
	bb, err := os.ReadFile(busybox)
	if err != nil {
		return nil, fmt.Errorf("read busybox: %w", err)
	}
	tb, err := os.ReadFile(testbin)
	if err != nil {
		return nil, fmt.Errorf("read testbin: %w", err)
	}
	out, err := exec.Command(busybox, "--list-full").Output()
	if err != nil {
		return nil, fmt.Errorf("%s --list-full: %w", busybox, err)
	}
	var buf bytes.Buffer
	w := tarWriter{tar.NewWriter(&buf)}
	dirs := []struct {
		name string
		mode int64
	}{
		{"bin", 0o755}, {"sbin", 0o755}, {"usr", 0o755}, {"usr/bin", 0o755}, {"usr/sbin", 0o755},
		{"usr/local", 0o755}, {"usr/local/bin", 0o755}, {"usr/share", 0o755}, {"usr/share/nginx", 0o755},
		{"usr/share/nginx/html", 0o755}, {"etc", 0o755}, {"proc", 0o755}, {"sys", 0o755}, {"dev", 0o755},
		{"tmp", 0o1777}, {"root", 0o700}, {"var", 0o755}, {"var/www", 0o755}, {"home", 0o755}, {"run", 0o755},
	}
	for _, d := range dirs {
		if err := w.dir(d.name, d.mode); err != nil {
			return nil, err
		}
	}
	if err := w.file("bin/busybox", 0o755, bb); err != nil {
		return nil, err
	}
	seen := map[string]bool{"bin/busybox": true}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		applet := strings.TrimSpace(sc.Text())
		if !strings.Contains(applet, "/") || seen[applet] || !isListedDir(path.Dir(applet)) {
			continue
		}
		seen[applet] = true
		if err := w.link(applet, "bin/busybox"); err != nil {
			return nil, err
		}
	}
	if !seen["bin/sh"] {
		if err := w.link("bin/sh", "bin/busybox"); err != nil {
			return nil, err
		}
	}
	files := []struct {
		name string
		mode int64
		data []byte
	}{
		{"pause", 0o755, tb},
		{"usr/local/bin/nonewprivs", 0o4755, tb},
		{"usr/bin/ipcs", 0o755, tb},
		{"etc/passwd", 0o644, []byte(passwd)},
		{"etc/group", 0o644, []byte(group)},
		{"usr/share/nginx/html/index.html", 0o644, []byte(indexHTML)},
	}
	for _, f := range files {
		if err := w.file(f.name, f.mode, f.data); err != nil {
			return nil, err
		}
	}
	if err := w.tw.Close(); err != nil {
		return nil, err
	}
	return layerOf(buf.Bytes())
}

func isListedDir(d string) bool {
	switch d {
	case "bin", "sbin", "usr/bin", "usr/sbin":
		return true
	}
	return false
}

// markerLayer holds one empty file, /name.
func markerLayer(name string) (v1.Layer, error) {
	var buf bytes.Buffer
	w := tarWriter{tar.NewWriter(&buf)}
	if err := w.file(name, 0o644, nil); err != nil {
		return nil, err
	}
	if err := w.tw.Close(); err != nil {
		return nil, err
	}
	return layerOf(buf.Bytes())
}

func layerOf(data []byte) (v1.Layer, error) {
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(data)), nil
	})
	if err != nil {
		return nil, fmt.Errorf("make layer: %w", err)
	}
	return l, nil
}
