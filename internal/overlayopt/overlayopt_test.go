package overlayopt

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSplitKeepsEscapes(t *testing.T) {
	assert.Equal(t, []string{`a\,b`, "c", ""}, Split(`a\,b,c,`, ','))
	assert.Equal(t, []string{`/x\:y`, "/z"}, Split(`/x\:y:/z`, ':'))
}

func TestEscapeRoundTrip(t *testing.T) {
	for _, p := range []string{"l/0", `we:ird,pa\th`, ""} {
		parts := Split(Escape(p)+":x", ':')
		require.Len(t, parts, 2)
		assert.Equal(t, p, Unescape(parts[0]))
	}
}
