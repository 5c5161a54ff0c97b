// Package shuffle draws items pass after pass, each pass in a fresh seeded
// random order, as SFT draws demonstrations and DPR draws prompts.
package shuffle

import "math/rand/v2"

// Stream yields the items of a slice in epochs: every item once per epoch,
// in an order drawn from the stream's generator at the start of the epoch.
type Stream[T any] struct {
	items []T
	rng   *rand.Rand
	perm  []int
	index int
}

// New returns a stream over items whose orders come from a PCG generator
// seeded with (seed, stream). Equal arguments give equal sequences.
func New[T any](items []T, seed, stream uint64) *Stream[T] {
	return &Stream[T]{items: items, rng: rand.New(rand.NewPCG(seed, stream))}
}

// Next returns the next n items, crossing into a new epoch when the current
// one runs out.
func (s *Stream[T]) Next(n int) []T {
	out := make([]T, 0, n)
	for len(out) < n {
		if s.index == len(s.perm) {
			s.perm = s.rng.Perm(len(s.items))
			s.index = 0
		}
		out = append(out, s.items[s.perm[s.index]])
		s.index++
	}
	return out
}
