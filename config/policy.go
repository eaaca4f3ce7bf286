package config

import (
	"errors"
	"fmt"
	"path"
	"strings"
)

// DefaultAuditLog is where refusals are logged unless [policy] audit_log
// says otherwise.
const DefaultAuditLog = "/var/log/sysbox-lite/audit.log"

// Policy is the [policy] table: what the host allows containers beyond the
// safe defaults. Everything in it only widens what a container may get; a
// container's own annotations (io.sysbox-lite.<key>) can only narrow it.
//
//	[policy]
//	allowed_devices  = ["/dev/kvm"]           # besides the pseudo-devices, /dev/fuse and /dev/net/tun
//	allowed_mounts   = ["/run/docker.sock"]   # host paths any container may bind-mount
//	sensitive_mounts = ["/srv/engine"]        # host paths no container may bind-mount, besides the built-in ones
//	audit_log        = "/var/log/sysbox-lite/audit.log"
//
//	[[policy.image_mounts]]                   # host paths only containers of one image may bind-mount
//	image = "docker.io/library/docker:dind"
//	paths = ["/var/lib/ci-cache"]
type Policy struct {
	// AllowedDevices are device paths (under /dev) that containers may
	// have, besides the default set.
	AllowedDevices []string `toml:"allowed_devices"`
	// AllowedMounts are host paths that any container may bind-mount (the
	// path itself and anything under it), even where they are sensitive.
	AllowedMounts []string `toml:"allowed_mounts"`
	// SensitiveMounts are host paths that no container may bind-mount (the
	// path, what is under it, or a directory that contains it), besides the
	// built-in ones: an engine's socket and state at non-standard paths, a
	// service's sockets. AllowedMounts and ImageMounts still allow them.
	SensitiveMounts []string `toml:"sensitive_mounts"`
	// ImageMounts are host paths that only containers of one image may
	// bind-mount.
	ImageMounts []ImageMounts `toml:"image_mounts"`
	// AuditLog is the file refusals are appended to (one JSON object per line).
	AuditLog string `toml:"audit_log"`
}

// ImageMounts allows bind mounts of Paths to containers of Image.
//
// The image is known only from the spec's annotations
// (io.kubernetes.cri.image-name, set by containerd's CRI plugin;
// org.opencontainers.image.ref.name; io.sysbox-lite.image). Docker 20.10 puts
// no image name in the spec, so with docker only io.sysbox-lite.image (where
// the client can set annotations) selects an entry. Whoever can set the
// annotation can claim the image: an entry is a convenience for the engine's
// users, not a boundary against them.
type ImageMounts struct {
	Image string   `toml:"image"`
	Paths []string `toml:"paths"`
}

// Validate checks the policy's values.
func (p Policy) Validate() error {
	for _, d := range p.AllowedDevices {
		if err := checkDevicePath(d); err != nil {
			return fmt.Errorf("policy.allowed_devices: %w", err)
		}
	}
	for _, m := range p.AllowedMounts {
		if err := checkMountPath(m); err != nil {
			return fmt.Errorf("policy.allowed_mounts: %w", err)
		}
	}
	for _, m := range p.SensitiveMounts {
		if err := checkSensitivePath(m); err != nil {
			return fmt.Errorf("policy.sensitive_mounts: %w", err)
		}
	}
	for i, im := range p.ImageMounts {
		if strings.TrimSpace(im.Image) == "" {
			return fmt.Errorf("policy.image_mounts[%d]: image must not be empty", i)
		}
		if strings.ContainsAny(im.Image, " \t\n,") {
			return fmt.Errorf("policy.image_mounts[%d]: image %q is not an image reference", i, im.Image)
		}
		if len(im.Paths) == 0 {
			return fmt.Errorf("policy.image_mounts[%d] (%s): paths must not be empty", i, im.Image)
		}
		for _, m := range im.Paths {
			if err := checkMountPath(m); err != nil {
				return fmt.Errorf("policy.image_mounts[%d] (%s): %w", i, im.Image, err)
			}
		}
	}
	if !strings.HasPrefix(p.AuditLog, "/") || path.Clean(p.AuditLog) != p.AuditLog {
		return fmt.Errorf("policy.audit_log %q must be a clean absolute path", p.AuditLog)
	}
	return nil
}

func checkDevicePath(d string) error {
	switch {
	case !strings.HasPrefix(d, "/dev/") || path.Clean(d) != d:
		return fmt.Errorf("%q must be a clean absolute path under /dev", d)
	case strings.ContainsAny(d, "*?[,"):
		return fmt.Errorf("%q: patterns and lists are not supported, name each device", d)
	}
	return nil
}

func checkMountPath(m string) error {
	switch {
	case !strings.HasPrefix(m, "/") || path.Clean(m) != m:
		return fmt.Errorf("%q must be a clean absolute path", m)
	case m == "/":
		return errors.New(`"/" would allow every host path: name the paths instead`)
	}
	return nil
}

func checkSensitivePath(m string) error {
	switch {
	case !strings.HasPrefix(m, "/") || path.Clean(m) != m:
		return fmt.Errorf("%q must be a clean absolute path", m)
	case m == "/":
		return errors.New(`"/" would refuse every bind mount, the engine's own included: name the paths instead`)
	}
	return nil
}
