package hostcheck

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestUserNamespaces(t *testing.T) {
	r := UserNamespaces(nil, "15000\n")
	assert.Equal(t, OK, r.Status)
	assert.Contains(t, r.Found, "user.max_user_namespaces = 15000")

	refused := errors.New("start user namespace holder: fork/exec /proc/self/exe: no space left on device")
	r = UserNamespaces(refused, "0\n")
	assert.Equal(t, Missing, r.Status)
	assert.Contains(t, r.Found, "no space left on device")
	assert.Contains(t, r.Fix, "sysctl -w user.max_user_namespaces=15000")

	r = UserNamespaces(refused, "")
	assert.Equal(t, Missing, r.Status)
	assert.Contains(t, r.Fix, "CONFIG_USER_NS")

	r = UserNamespaces(refused, "15000")
	assert.Equal(t, Missing, r.Status)
	assert.Contains(t, r.Found, "= 15000")
}

func TestProbeUserNamespace(t *testing.T) {
	needRoot(t)
	require.NoError(t, ProbeUserNamespace())
}
