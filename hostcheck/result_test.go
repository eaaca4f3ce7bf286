package hostcheck

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReportText(t *testing.T) {
	r := Report{}
	r.Add(ok("kernel", "6.1.0"), warn("docker", "not installed", "install docker"), missing("subid pool", "no entry\nin /etc/subuid", "add one"))
	var b bytes.Buffer
	require.NoError(t, r.WriteText(&b))
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	require.Len(t, lines, 4)
	assert.Equal(t, "ok       kernel      6.1.0", lines[0])
	assert.Equal(t, "warn     docker      not installed — fix: install docker", lines[1])
	assert.Equal(t, "missing  subid pool  no entry ; in /etc/subuid — fix: add one", lines[2], "one line per check")
	assert.Equal(t, "this host cannot run sysbox-lite yet: 1 check missing, 1 warning (fix the missing ones first)", lines[3])
	assert.False(t, r.OK())
}

func TestReportJSON(t *testing.T) {
	r := Report{}
	r.Add(ok("kernel", "6.1.0"), warn("docker", "not <installed>", "x"))
	var b bytes.Buffer
	require.NoError(t, r.WriteJSON(&b))
	assert.Contains(t, b.String(), "not <installed>", "no HTML escaping")
	var doc struct {
		OK       bool
		Missing  int
		Warnings int
		Checks   []Result
	}
	require.NoError(t, json.Unmarshal(b.Bytes(), &doc))
	assert.True(t, doc.OK)
	assert.Equal(t, 0, doc.Missing)
	assert.Equal(t, 1, doc.Warnings)
	assert.Equal(t, r.Results, doc.Checks)
	assert.Equal(t, "this host can run sysbox-lite (2 checks, 1 warning)", r.Summary())

	b.Reset()
	require.NoError(t, Report{}.WriteJSON(&b))
	assert.Contains(t, b.String(), `"checks": []`)
}
