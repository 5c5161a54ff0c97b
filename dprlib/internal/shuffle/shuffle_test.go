package shuffle

import (
	"slices"
	"testing"
)

func TestNextCoversEachEpoch(t *testing.T) {
	items := []int{0, 1, 2, 3, 4}
	s := New(items, 7, 1)
	for epoch := range 3 {
		got := s.Next(len(items))
		sorted := slices.Sorted(slices.Values(got))
		if !slices.Equal(sorted, items) {
			t.Errorf("epoch %d drew %v, want each item once", epoch, got)
		}
	}
}

func TestNextIsSeeded(t *testing.T) {
	items := []string{"a", "b", "c", "d", "e", "f"}
	a := New(items, 3, 9).Next(20)
	b := New(items, 3, 9).Next(20)
	c := New(items, 4, 9).Next(20)
	if !slices.Equal(a, b) {
		t.Errorf("equal seeds gave %v and %v", a, b)
	}
	if slices.Equal(a, c) {
		t.Errorf("seeds 3 and 4 gave the same sequence %v", a)
	}
}
