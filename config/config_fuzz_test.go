package config

import (
	"bytes"
	"path"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// FuzzConfigParse feeds arbitrary bytes to the config parser: no panic;
// what it accepts is valid, its checked paths are absolute, its ranges are
// large enough, and writing it back as TOML and parsing that gives the
// same Config. The seeds are in testdata/fuzz/FuzzConfigParse.
func FuzzConfigParse(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse("f.toml", data)
		if err != nil {
			assert.Equal(t, Config{}, cfg, "a refused config comes back empty")
			msg := err.Error()
			assert.True(t, strings.HasPrefix(msg, "parse config f.toml: ") || strings.HasPrefix(msg, "config f.toml: "), "the error names the file: %s", msg)
			return
		}
		require.NoError(t, cfg.Validate())
		assert.NotEmpty(t, cfg.Engine)
		assert.NotEmpty(t, cfg.IDPool.SubIDUser)
		assert.GreaterOrEqual(t, cfg.IDPool.RangeSize, uint32(MinRangeSize))
		assert.GreaterOrEqual(t, cfg.IDPool.RangeSize, uint32(65536))
		abs := func(what, p string) {
			assert.True(t, strings.HasPrefix(p, "/"), "%s %q is not absolute", what, p)
		}
		abs("state_dir", cfg.StateDir)
		abs("idpool.file", cfg.IDPool.File)
		abs("policy.audit_log", cfg.Policy.AuditLog)
		assert.Equal(t, path.Clean(cfg.Policy.AuditLog), cfg.Policy.AuditLog)
		for _, d := range cfg.Policy.AllowedDevices {
			assert.True(t, strings.HasPrefix(d, "/dev/"), "allowed device %q", d)
			assert.Equal(t, path.Clean(d), d)
		}
		for _, list := range [][]string{cfg.Policy.AllowedMounts, cfg.Policy.SensitiveMounts} {
			for _, m := range list {
				abs("policy mount", m)
				assert.NotEqual(t, "/", m)
				assert.Equal(t, path.Clean(m), m)
			}
		}
		for _, im := range cfg.Policy.ImageMounts {
			assert.NotEmpty(t, strings.TrimSpace(im.Image))
			assert.NotEmpty(t, im.Paths)
			for _, m := range im.Paths {
				abs("image mount", m)
				assert.NotEqual(t, "/", m)
			}
		}

		// Written back with the same TOML library, it reads the same.
		var buf bytes.Buffer
		require.NoError(t, toml.NewEncoder(&buf).Encode(cfg))
		again, err := Parse("f.toml", buf.Bytes())
		require.NoError(t, err, "re-encoded:\n%s", buf.String())
		assert.Equal(t, cfg, again, "re-encoded:\n%s", buf.String())
	})
}
