package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRewriteSection(t *testing.T) {
	doc := "# T\n\ntext\n\n## Performance\n\n<!-- bench:begin -->\nold\nstuff\n<!-- bench:end -->\n\n## After\nkept\n"
	got, err := RewriteSection(doc, "\n\nnew table\n\n")
	require.NoError(t, err)
	assert.Equal(t, "# T\n\ntext\n\n## Performance\n\n<!-- bench:begin -->\nnew table\n<!-- bench:end -->\n\n## After\nkept\n", got)

	again, err := RewriteSection(got, "new table")
	require.NoError(t, err)
	assert.Equal(t, got, again, "rewriting is idempotent")
}

func TestRewriteSectionEmptyAndAdjacentMarkers(t *testing.T) {
	got, err := RewriteSection("a<!-- bench:begin --><!-- bench:end -->b", "x")
	require.NoError(t, err)
	assert.Equal(t, "a<!-- bench:begin -->\nx\n<!-- bench:end -->b", got)
}

func TestRewriteSectionRejectsBadMarkers(t *testing.T) {
	for name, doc := range map[string]string{
		"none":       "# nothing here\n",
		"no end":     "<!-- bench:begin -->\n",
		"no begin":   "<!-- bench:end -->\n",
		"reversed":   "<!-- bench:end -->\n<!-- bench:begin -->\n",
		"two begins": "<!-- bench:begin -->\n<!-- bench:begin -->\n<!-- bench:end -->\n",
		"two ends":   "<!-- bench:begin -->\n<!-- bench:end -->\n<!-- bench:end -->\n",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := RewriteSection(doc, "x")
			assert.Error(t, err)
		})
	}
}
