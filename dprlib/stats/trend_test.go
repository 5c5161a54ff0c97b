package stats

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestTrend(t *testing.T) {
	cases := []struct {
		name string
		xs   []float64
		want float64
	}{
		{"empty", nil, 0},
		{"one value", []float64{4}, 0},
		{"two values", []float64{1, 4}, 3},
		{"line", []float64{1, 3, 5, 7}, 2},
		{"constant", []float64{0.4, 0.4, 0.4}, 0},
		{"falling", []float64{10, 8, 6, 4, 2}, -2},
		{"zigzag", []float64{0, 1, 0, 1}, 0.2},
	}
	for _, tc := range cases {
		if got := Trend(tc.xs); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("%s: Trend = %v, want %v", tc.name, got, tc.want)
		}
	}
	if got := Trend([]float64{1, math.NaN(), 3}); !math.IsNaN(got) {
		t.Errorf("Trend with a NaN = %v, want NaN", got)
	}
	if got := Trend([]float64{1, math.Inf(1), 3}); !math.IsNaN(got) {
		t.Errorf("Trend with +Inf = %v, want NaN", got)
	}
}

func TestFitLineStandardError(t *testing.T) {
	// Fitted line 0.2 + 0.2·i, residuals −0.2, 0.6, −0.6, 0.2:
	// se = √(0.8 / 2 / 5).
	slope, se := fitLine([]float64{0, 1, 0, 1})
	if math.Abs(slope-0.2) > 1e-12 {
		t.Errorf("slope = %v, want 0.2", slope)
	}
	if want := math.Sqrt(0.08); math.Abs(se-want) > 1e-12 {
		t.Errorf("se = %v, want %v", se, want)
	}
	if _, se := fitLine([]float64{1, 2}); !math.IsNaN(se) {
		t.Errorf("se of two points = %v, want NaN", se)
	}
}

// trainingLog returns n logged values: start + change·i/(n−1) plus
// normal noise of standard deviation sigma.
func trainingLog(rng *rand.Rand, n int, start, change, sigma float64) []float64 {
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = start + change*float64(i)/float64(n-1) + sigma*rng.NormFloat64()
	}
	return xs
}

func TestGamingFlagCases(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	cases := []struct {
		name          string
		reward, verif []float64
		minSteps      int
		want          bool
	}{
		{"reward up, verifier down",
			trainingLog(rng, 40, 8, 6, 0.5), trainingLog(rng, 40, 0.7, -0.25, 0.03), 10, true},
		{"both rising",
			trainingLog(rng, 40, 8, 6, 0.5), trainingLog(rng, 40, 0.6, 0.1, 0.03), 10, false},
		{"both falling",
			trainingLog(rng, 40, 8, -2, 0.5), trainingLog(rng, 40, 0.7, -0.25, 0.03), 10, false},
		{"too few steps",
			trainingLog(rng, 8, 8, 6, 0.5), trainingLog(rng, 8, 0.7, -0.25, 0.01), 10, false},
		{"noise-free decline",
			[]float64{1, 2, 3, 4}, []float64{0.7, 0.69, 0.68, 0.67}, 0, true},
		{"three steps at minSteps 0",
			[]float64{1, 2, 3}, []float64{0.7, 0.69, 0.68}, 0, true},
		{"two steps",
			[]float64{1, 2}, []float64{0.7, 0.6}, 0, false},
	}
	for _, tc := range cases {
		flagged, rewardSlope, verifierSlope := GamingFlag(tc.reward, tc.verif, tc.minSteps)
		if flagged != tc.want {
			t.Errorf("%s: flagged = %v (reward slope %.4g, verifier slope %.4g), want %v",
				tc.name, flagged, rewardSlope, verifierSlope, tc.want)
		}
		if rewardSlope != Trend(tc.reward) {
			t.Errorf("%s: reward slope = %v, want Trend(reward) = %v",
				tc.name, rewardSlope, Trend(tc.reward))
		}
		if verifierSlope != Trend(tc.verif) {
			t.Errorf("%s: verifier slope = %v, want Trend(verifier) = %v",
				tc.name, verifierSlope, Trend(tc.verif))
		}
	}
}

func TestGamingFlagNoisyFlatVerifier(t *testing.T) {
	// A flat verifier with noise falls by more than two standard errors
	// in about 2.5 % of runs.
	rng := rand.New(rand.NewPCG(17, 19))
	const runs = 400
	flaggedRuns := 0
	for range runs {
		reward := trainingLog(rng, 50, 8, 6, 0.5)
		verifier := trainingLog(rng, 50, 0.65, 0, 0.05)
		if flagged, _, _ := GamingFlag(reward, verifier, 10); flagged {
			flaggedRuns++
		}
	}
	if rate := float64(flaggedRuns) / runs; rate > 0.06 {
		t.Errorf("%d of %d flat noisy runs flagged (%.1f %%), want at most 6 %%",
			flaggedRuns, runs, 100*rate)
	}
}

func TestGamingFlagDetectsDecline(t *testing.T) {
	// A decline of 0.1 over 50 steps under noise of 0.05 is about 4.2
	// standard errors of the fitted drop.
	rng := rand.New(rand.NewPCG(23, 29))
	const runs = 400
	flaggedRuns := 0
	for range runs {
		reward := trainingLog(rng, 50, 8, 6, 0.5)
		verifier := trainingLog(rng, 50, 0.65, -0.1, 0.05)
		if flagged, _, _ := GamingFlag(reward, verifier, 10); flagged {
			flaggedRuns++
		}
	}
	if rate := float64(flaggedRuns) / runs; rate < 0.9 {
		t.Errorf("%d of %d declining runs flagged (%.1f %%), want at least 90 %%",
			flaggedRuns, runs, 100*rate)
	}
}

func TestGamingFlagSmallDropUnderNoise(t *testing.T) {
	// The verifier falls by 0.01 over the run but its noise is 0.05: the
	// drop is within the noise floor.
	reward := make([]float64, 30)
	verifier := make([]float64, 30)
	for i := range reward {
		reward[i] = 5 + 0.2*float64(i)
		verifier[i] = 0.6 - 0.01*float64(i)/29 + 0.05*math.Sin(1.7*float64(i))
	}
	flagged, rewardSlope, verifierSlope := GamingFlag(reward, verifier, 10)
	if flagged {
		t.Errorf("flagged with reward slope %v and verifier slope %v, want the drop "+
			"to stay below the noise floor", rewardSlope, verifierSlope)
	}
}

func TestGamingFlagLengthMismatch(t *testing.T) {
	defer func() {
		r := recover()
		msg, ok := r.(string)
		if !ok || !strings.Contains(msg, "reward has 3 values but verifier has 2") {
			t.Errorf("panic = %v, want a message naming both lengths", r)
		}
	}()
	GamingFlag([]float64{1, 2, 3}, []float64{1, 2}, 0)
}
