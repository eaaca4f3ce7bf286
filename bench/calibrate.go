package main

import (
	"context"
	"math"
)

// loopTarget is how long one probe loop sample should run.
const loopTarget = 100e6 // ns

// calibrateLoop runs `probe loop OP 20 ARG` twice (the first warms caches
// up) and returns an iteration count for a sample of about loopTarget
// (between 50 and 200 000).
func calibrateLoop(ctx context.Context, e *Env, container, op, arg string) (int, error) {
	var ns float64
	for i := 0; i < 2; i++ {
		var err error
		if ns, _, err = probeLoop(ctx, e, container, op, "20", arg); err != nil {
			return 0, err
		}
	}
	return loopCount(ns), nil
}

// loopCount is the iteration count for calls of nsPerOp each.
func loopCount(nsPerOp float64) int {
	if nsPerOp <= 0 || math.IsNaN(nsPerOp) {
		return 1000
	}
	n := int(loopTarget / nsPerOp)
	return min(max(n, 50), 200000)
}

func nan() float64 { return math.NaN() }
