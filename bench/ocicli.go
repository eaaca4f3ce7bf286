package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// ociCLI drives a runc-compatible binary with fixed global flags.
type ociCLI struct {
	e      *Env
	bin    string
	global []string // e.g. --root R, --sysbox-config CFG
}

func (c ociCLI) cmd(ctx context.Context, args ...string) ([]byte, error) {
	return c.e.Command(ctx, c.bin, append(append([]string{}, c.global...), args...)...)
}

// lifecycle runs create, start, state until stopped, delete, and returns the
// time of each phase and the total (nanoseconds).
func (c ociCLI) lifecycle(ctx context.Context, bundle, id string, createFlags ...string) (map[string]float64, error) {
	t, err := c.lifecycleStamps(ctx, bundle, id, createFlags...)
	if err != nil {
		return nil, err
	}
	ns := func(a, b time.Time) float64 { return float64(b.Sub(a).Nanoseconds()) }
	return map[string]float64{
		"create": ns(t[0], t[1]), "start": ns(t[1], t[2]), "wait": ns(t[2], t[3]), "delete": ns(t[3], t[4]), "total": ns(t[0], t[4]),
	}, nil
}

// lifecycleStamps runs the lifecycle and returns the time before create,
// after create, after start, once stopped, and after delete.
func (c ociCLI) lifecycleStamps(ctx context.Context, bundle, id string, createFlags ...string) ([5]time.Time, error) {
	var t [5]time.Time
	t[0] = time.Now()
	if _, err := c.cmd(ctx, append(append([]string{"create", "--bundle", bundle}, createFlags...), id)...); err != nil {
		return t, err
	}
	t[1] = time.Now()
	if _, err := c.cmd(ctx, "start", id); err != nil {
		c.forceDelete(id)
		return t, err
	}
	t[2] = time.Now()
	if err := c.waitStopped(ctx, id, 10*time.Second); err != nil {
		c.forceDelete(id)
		return t, err
	}
	t[3] = time.Now()
	if _, err := c.cmd(ctx, "delete", id); err != nil {
		c.forceDelete(id)
		return t, err
	}
	t[4] = time.Now()
	return t, nil
}

// waitStopped polls `state ID` until the status is "stopped".
func (c ociCLI) waitStopped(ctx context.Context, id string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		out, err := c.cmd(ctx, "state", id)
		if err != nil {
			return err
		}
		var st struct {
			Status string `json:"status"`
		}
		if err := json.Unmarshal(out, &st); err != nil {
			return fmt.Errorf("state %s: %w", id, err)
		}
		if st.Status == "stopped" {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("container %s still %q after %s", id, st.Status, limit)
		}
	}
}

// forceDelete removes a container whatever its state (best effort).
func (c ociCLI) forceDelete(id string) {
	_, _ = c.cmd(context.Background(), "delete", "--force", id)
}

// deleteAll force-deletes every container the binary lists (teardown).
func (c ociCLI) deleteAll() {
	out, err := c.cmd(context.Background(), "list", "--format", "json")
	if err != nil {
		return
	}
	var list []struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(out, &list) != nil {
		return
	}
	for _, ct := range list {
		c.forceDelete(ct.ID)
	}
}
