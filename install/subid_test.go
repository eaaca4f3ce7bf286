package install

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRemoveSubIDLines(t *testing.T) {
	in := "# comment\nalice:100000:65536\nsysbox-lite:1048576:268435456\nsysbox-lite-2:1:2\n  sysbox-lite:5:6  \nbob:165536:65536"
	out, n := removeSubIDLines([]byte(in), "sysbox-lite")
	assert.Equal(t, 2, n)
	assert.Equal(t, "# comment\nalice:100000:65536\nsysbox-lite-2:1:2\nbob:165536:65536", string(out))

	out, n = removeSubIDLines(out, "sysbox-lite")
	assert.Equal(t, 0, n)
	assert.Equal(t, "# comment\nalice:100000:65536\nsysbox-lite-2:1:2\nbob:165536:65536", string(out))
}
