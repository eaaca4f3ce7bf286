package main

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestOrderAlternates(t *testing.T) {
	assert.Equal(t, []int{0, 1}, Order(0, 2))
	assert.Equal(t, []int{1, 0}, Order(1, 2))
	assert.Equal(t, []int{0, 1, 2}, Order(2, 3))
	assert.Equal(t, []int{2, 1, 0}, Order(3, 3))
}

func TestInterleaveDropsWarmupAndAlternates(t *testing.T) {
	var calls []string
	mk := func(name string, value float64) Variant {
		return Variant{Name: name, Run: func(_ context.Context, round int) (map[string]float64, error) {
			calls = append(calls, name)
			return map[string]float64{"total": value + float64(round)}, nil
		}}
	}
	var seen []int
	s, err := Interleave(context.Background(), 3, 2, []Variant{mk("a", 100), mk("b", 200)}, func(done, total int) {
		seen = append(seen, done)
		assert.Equal(t, 5, total)
	})
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b", "b", "a", "a", "b", "b", "a", "a", "b"}, calls)
	assert.Equal(t, []float64{102, 103, 104}, s["a"]["total"], "rounds 0 and 1 are warm-up")
	assert.Equal(t, []float64{202, 203, 204}, s["b"]["total"])
	assert.Equal(t, []int{1, 2, 3, 4, 5}, seen)
	assert.Equal(t, 103.0, s.Summary("a", "total").Median)
}

func TestInterleaveStopsAtTheFirstError(t *testing.T) {
	boom := errors.New("boom")
	n := 0
	v := Variant{Name: "x", Run: func(context.Context, int) (map[string]float64, error) {
		n++
		if n == 3 {
			return nil, boom
		}
		return map[string]float64{"total": 1}, nil
	}}
	_, err := Interleave(context.Background(), 10, 0, []Variant{v}, nil)
	require.ErrorIs(t, err, boom)
	assert.Contains(t, err.Error(), "x (round 3)")
	assert.Equal(t, 3, n)
}

func TestInterleaveHonoursCancellation(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	v := Variant{Name: "x", Run: func(context.Context, int) (map[string]float64, error) {
		t.Fatal("must not run")
		return nil, nil
	}}
	_, err := Interleave(ctx, 1, 0, []Variant{v}, nil)
	require.ErrorIs(t, err, context.Canceled)
}
