package selfplay

import (
	"math"
	"math/rand/v2"
	"testing"
)

// lossAt evaluates the objective's loss with Δ of sequence index r moved by
// h, where r counts demonstrations first, then the samples row by row.
func lossAt(method Method, beta float64, demo []float64, samples [][]float64, r int, h float64) float64 {
	d := append([]float64(nil), demo...)
	s := make([][]float64, len(samples))
	for i := range samples {
		s[i] = append([]float64(nil), samples[i]...)
	}
	if r < len(d) {
		d[r] += h
	} else {
		r -= len(d)
		for i := range s {
			if r < len(s[i]) {
				s[i][r] += h
				break
			}
			r -= len(s[i])
		}
	}
	loss, _, _ := objective(method, beta, d, s)
	return loss
}

func TestObjectiveWeightsMatchNumericDerivative(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	demo := []float64{0.3, -1.2, 2.5}
	samples := [][]float64{{-0.4, 1.1}, {0.9, -2}, {4, 0.2}}
	for range 5 {
		for i := range demo {
			demo[i] = 6 * (rng.Float64() - 0.5)
			for j := range samples[i] {
				samples[i][j] = 6 * (rng.Float64() - 0.5)
			}
		}
		for _, method := range []Method{SPIN, GSIL} {
			for _, beta := range []float64{0.1, 1, 3} {
				_, demoWeight, sampleWeight := objective(method, beta, demo, samples)
				weights := append([]float64(nil), demoWeight...)
				for _, row := range sampleWeight {
					weights = append(weights, row...)
				}
				const h = 1e-5
				for r, w := range weights {
					// w = −∂L/∂Δ, by a central difference.
					numeric := -(lossAt(method, beta, demo, samples, r, h) -
						lossAt(method, beta, demo, samples, r, -h)) / (2 * h)
					if math.Abs(w-numeric) > 1e-8 {
						t.Errorf("%s β = %g, sequence %d: weight %.10f, numeric −∂L/∂Δ %.10f",
							method, beta, r, w, numeric)
					}
				}
			}
		}
	}
}

func TestObjectiveSigns(t *testing.T) {
	demo := []float64{0.5, -0.5}
	samples := [][]float64{{1, -3}, {0, 2}}
	for _, method := range []Method{SPIN, GSIL} {
		_, demoWeight, sampleWeight := objective(method, 0.1, demo, samples)
		for i, w := range demoWeight {
			if !(w > 0) {
				t.Errorf("%s: demonstration %d weight %g, want positive (raise its likelihood)", method, i, w)
			}
		}
		for i, row := range sampleWeight {
			for j, w := range row {
				if !(w < 0) {
					t.Errorf("%s: sample %d.%d weight %g, want negative (lower its likelihood)", method, i, j, w)
				}
			}
		}
	}
}

func TestObjectiveAtEqualPolicies(t *testing.T) {
	const beta = 0.1
	demo := []float64{0, 0}
	samples := [][]float64{{0, 0, 0}, {0, 0, 0}}
	const pairs = 6

	loss, demoWeight, sampleWeight := objective(SPIN, beta, demo, samples)
	if math.Abs(loss-math.Ln2) > 1e-15 {
		t.Errorf("SPIN loss at Δ = 0 is %g, want log 2 = %g", loss, math.Ln2)
	}
	// Each pair gives β/2 (over P pairs); a demonstration is in 3 pairs.
	if want := 3 * beta / 2 / pairs; math.Abs(demoWeight[0]-want) > 1e-15 {
		t.Errorf("SPIN demonstration weight at Δ = 0 is %g, want 3·β/2/P = %g", demoWeight[0], want)
	}
	if want := -beta / 2 / pairs; math.Abs(sampleWeight[1][2]-want) > 1e-15 {
		t.Errorf("SPIN sample weight at Δ = 0 is %g, want −β/2/P = %g", sampleWeight[1][2], want)
	}

	loss, demoWeight, sampleWeight = objective(GSIL, beta, demo, samples)
	if math.Abs(loss-2*math.Ln2) > 1e-15 {
		t.Errorf("GSIL loss at Δ = 0 is %g, want 2·log 2 = %g", loss, 2*math.Ln2)
	}
	if want := beta / 2 / 2; math.Abs(demoWeight[1]-want) > 1e-15 {
		t.Errorf("GSIL demonstration weight at Δ = 0 is %g, want β/2/N_w = %g", demoWeight[1], want)
	}
	if want := -beta / 2 / pairs; math.Abs(sampleWeight[0][0]-want) > 1e-15 {
		t.Errorf("GSIL sample weight at Δ = 0 is %g, want −β/2/N_l = %g", sampleWeight[0][0], want)
	}
}

func TestObjectiveLargeMargins(t *testing.T) {
	demo := []float64{1e4, -1e4}
	samples := [][]float64{{-1e4}, {1e4}}
	for _, method := range []Method{SPIN, GSIL} {
		loss, demoWeight, sampleWeight := objective(method, 1, demo, samples)
		values := append(append([]float64{loss}, demoWeight...), sampleWeight[0][0], sampleWeight[1][0])
		for _, v := range values {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Errorf("%s at |Δ| = 1e4: loss and weights %v, want finite values", method, values)
				break
			}
		}
		// The second pair is lost by a margin of 2e4 (SPIN) or both terms
		// by 1e4 (GSIL): the loss grows linearly, not to infinity.
		if loss < 1e3 {
			t.Errorf("%s loss %g at a large wrong margin, want about 1e4", method, loss)
		}
	}
}

func TestLogSigmoid(t *testing.T) {
	for _, x := range []float64{-800, -30, -1, 0, 1, 30, 800} {
		want := -math.Log1p(math.Exp(-x))
		if math.IsInf(want, 0) {
			want = x // log σ(x) → x as x → −∞.
		}
		if got := logSigmoid(x); math.Abs(got-want) > 1e-12*math.Max(1, math.Abs(want)) {
			t.Errorf("logSigmoid(%g) = %g, want %g", x, got, want)
		}
		if got, want := sigmoid(x)+sigmoid(-x), 1.0; math.Abs(got-want) > 1e-15 {
			t.Errorf("σ(%g) + σ(%g) = %g, want 1", x, -x, got)
		}
	}
}
