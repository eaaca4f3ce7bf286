package main

import (
	"context"
	"time"
)

// dockerRunTimed times one `docker run --rm --network none --runtime RT
// IMAGE ARGS...` (the client's whole run: create, start, wait, remove).
func dockerRunTimed(ctx context.Context, e *Env, runtime, image string, args ...string) (float64, error) {
	argv := append([]string{"run", "--rm", "--network", "none", "--runtime", runtime, "--label", benchLabel, image}, args...)
	start := time.Now()
	if _, err := e.Docker(ctx, argv...); err != nil {
		return 0, err
	}
	return float64(time.Since(start).Nanoseconds()), nil
}

// dockerRunVariant is a Variant timing dockerRunTimed under the metric "total".
func dockerRunVariant(e *Env, name, runtime, image string, args ...string) Variant {
	return Variant{Name: name, Run: func(ctx context.Context, _ int) (map[string]float64, error) {
		ns, err := dockerRunTimed(ctx, e, runtime, image, args...)
		if err != nil {
			return nil, err
		}
		return map[string]float64{"total": ns}, nil
	}}
}
