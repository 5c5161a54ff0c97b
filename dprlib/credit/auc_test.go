package credit

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// pairCountAUC is the O(n₊·n₋) definition of the AUC, counting 2U so that
// the result is exactly comparable with AUC's.
func pairCountAUC(positive, negative []float64) float64 {
	var twiceU int64
	for _, p := range positive {
		for _, n := range negative {
			switch {
			case p > n:
				twiceU += 2
			case p == n:
				twiceU++
			}
		}
	}
	return float64(twiceU) / (2 * float64(len(positive)) * float64(len(negative)))
}

func TestAUCMatchesPairCounting(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	for trial := range 300 {
		nPos, nNeg := 1+rng.IntN(40), 1+rng.IntN(60)
		// Few distinct levels make ties common; later trials use more levels.
		levels := 2 + trial%12
		draw := func(n int, shift int) []float64 {
			xs := make([]float64, n)
			for i := range xs {
				xs[i] = float64(rng.IntN(levels)+rng.IntN(shift+1)) / 4
			}
			return xs
		}
		pos, neg := draw(nPos, trial%3), draw(nNeg, 0)
		if trial%10 == 0 {
			pos = append(pos, math.Inf(1))
			neg = append(neg, math.Inf(-1))
		}
		got, err := AUC(pos, neg)
		if err != nil {
			t.Fatalf("trial %d: %v", trial, err)
		}
		if want := pairCountAUC(pos, neg); got != want {
			t.Errorf("trial %d (%d positive, %d negative, %d levels): AUC = %v, pair counting = %v",
				trial, len(pos), len(neg), levels, got, want)
		}
	}
}

func TestAUCKnownValues(t *testing.T) {
	cases := []struct {
		name     string
		pos, neg []float64
		want     float64
	}{
		{"separated", []float64{3, 4}, []float64{1, 2}, 1},
		{"reversed", []float64{1, 2}, []float64{3, 4}, 0},
		{"all tied", []float64{5, 5}, []float64{5, 5, 5}, 0.5},
		// Pairs: 2>0.1, 2>0.2, 2>0.3, 0.1=0.1 (half), 0.1<0.2, 0.1<0.3: 3.5 of 6.
		{"one tie", []float64{2, 0.1}, []float64{0.1, 0.2, 0.3}, 3.5 / 6},
		{"signed zeros tie", []float64{0}, []float64{math.Copysign(0, -1)}, 0.5},
	}
	for _, c := range cases {
		got, err := AUC(c.pos, c.neg)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if got != c.want {
			t.Errorf("%s: AUC = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestAUCErrors(t *testing.T) {
	if _, err := AUC(nil, []float64{1}); !errors.Is(err, ErrUndefinedAUC) {
		t.Errorf("no positives: error = %v, want ErrUndefinedAUC", err)
	}
	if _, err := AUC([]float64{1}, nil); !errors.Is(err, ErrUndefinedAUC) {
		t.Errorf("no negatives: error = %v, want ErrUndefinedAUC", err)
	}
	_, err := AUC([]float64{1, 2}, []float64{0, math.NaN()})
	if err == nil || !strings.Contains(err.Error(), "negative score 1 is NaN") {
		t.Errorf("NaN negative: error = %v, want it to name negative score 1", err)
	}
	_, err = AUC([]float64{math.NaN()}, []float64{0})
	if err == nil || !strings.Contains(err.Error(), "positive score 0 is NaN") {
		t.Errorf("NaN positive: error = %v, want it to name positive score 0", err)
	}
}
