package main

import (
	"context"
	"fmt"
)

// A Variant is one side of a comparison (a runtime, or a runtime and an
// image). Run makes one timed run and returns its values (nanoseconds, or
// ns/op) by metric name; every run of a variant returns the same metrics.
type Variant struct {
	Name string
	Run  func(ctx context.Context, round int) (map[string]float64, error)
}

// Samples holds the kept values: Samples[variant][metric].
type Samples map[string]map[string][]float64

// Summary of one variant's metric.
func (s Samples) Summary(variant, metric string) Summary {
	return Summarize(s[variant][metric])
}

// Order is the order in which the variants run in a round: as given in even
// rounds, reversed in odd ones (A B, B A, A B, ...), so that neither side
// always runs first, right after the other, or on a warmer cache.
func Order(round, n int) []int {
	idx := make([]int, n)
	for i := range idx {
		if round%2 == 0 {
			idx[i] = i
		} else {
			idx[i] = n - 1 - i
		}
	}
	return idx
}

// Interleave runs warmup+runs rounds; each round runs every variant once, in
// Order. Values of the warm-up rounds are dropped. The first error stops it.
// progress, when not nil, is called after each round (from 1).
func Interleave(ctx context.Context, runs, warmup int, variants []Variant, progress func(done, total int)) (Samples, error) {
	out := Samples{}
	for _, v := range variants {
		out[v.Name] = map[string][]float64{}
	}
	total := warmup + runs
	for round := 0; round < total; round++ {
		for _, i := range Order(round, len(variants)) {
			if err := ctx.Err(); err != nil {
				return out, err
			}
			v := variants[i]
			vals, err := v.Run(ctx, round)
			if err != nil {
				return out, fmt.Errorf("%s (round %d): %w", v.Name, round+1, err)
			}
			if round < warmup {
				continue
			}
			for m, x := range vals {
				out[v.Name][m] = append(out[v.Name][m], x)
			}
		}
		if progress != nil {
			progress(round+1, total)
		}
	}
	return out, nil
}
