// Package config loads sysbox-lite's host-wide configuration file
// (/etc/sysbox-lite/config.toml by default). Every setting has a safe default,
// so a missing file is fine; a malformed one, or one with unknown keys, is an
// error: sysbox-lite never falls back to permissive settings.
package config
