package runtime

import (
	"fmt"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/sysbox-lite/sysbox-lite/confine"
	"github.com/sysbox-lite/sysbox-lite/rootfs"
	"github.com/sysbox-lite/sysbox-lite/userns"
)

// applyShares gives each shared host directory of the plan its mapping:
// the spec's process user acts as the host identity confine.SharedDirs
// chose, and no other container ID is mapped there.
func applyShares(plan rootfs.Plan, shares []confine.Share, spec *specs.Spec, r userns.Range) error {
	var cUID, cGID uint32
	if spec.Process != nil {
		cUID, cGID = spec.Process.User.UID, spec.Process.User.GID
	}
	for i, sh := range shares {
		if sh.Kind != confine.ShareUser {
			continue
		}
		m, err := userns.SingleIdmap(r, cUID, cGID, sh.UID, sh.GID, sh.Groups)
		if err != nil {
			return fmt.Errorf("shared directory %s: %w", spec.Mounts[i].Source, err)
		}
		plan.SetIdmap(i, m)
	}
	return nil
}
