package stats

import (
	"fmt"
	"math"
)

// GamingSignificance is the multiple of the slope's standard error that the
// verifier's drop must exceed for GamingFlag to report reward gaming.
// With independent, roughly normal residuals, twice the standard error is
// close to a two-sided 95 % test of "no trend" once a run has about 30
// logged steps. Shorter runs would need a larger multiple for that level
// (3.18 at 5 steps).
//
// NOTE: training logs are autocorrelated, which makes the standard error
// too small, so this flag can fire on a slow random drift. Read it as a
// prompt to inspect the run, not as a test result.
const GamingSignificance = 2

// Trend returns the least-squares slope of xs against its index, in units
// of xs per logged point:
//
//	slope = Σ_i (i − ī)(x_i − x̄) / Σ_i (i − ī)²
//
// It assumes the points are logged at evenly spaced steps. It returns 0 for
// fewer than two values, where no slope is defined, and NaN when a value
// is NaN or infinite.
func Trend(xs []float64) (slope float64) {
	slope, _ = fitLine(xs)
	return slope
}

// fitLine returns the least-squares slope of xs against its index and the
// standard error of that slope,
//
//	se = √( Σ_i residual_i² / (n − 2) / Σ_i (i − ī)² ),
//
// which is NaN for fewer than three values.
func fitLine(xs []float64) (slope, se float64) {
	n := len(xs)
	if n < 2 {
		return 0, math.NaN()
	}
	meanIndex := float64(n-1) / 2
	meanX := meanOf(xs)
	var sxy, sxx float64
	for i, x := range xs {
		d := float64(i) - meanIndex
		sxy += d * (x - meanX)
		sxx += d * d
	}
	slope = sxy / sxx
	if n < 3 {
		return slope, math.NaN()
	}
	intercept := meanX - slope*meanIndex
	var ssr float64
	for i, x := range xs {
		r := x - (intercept + slope*float64(i))
		ssr += r * r
	}
	return slope, math.Sqrt(ssr / float64(n-2) / sxx)
}

// GamingFlag tests the per-step training logs of one run for reward
// gaming: the policy learns to raise the learned reward while the share of
// its samples that the verifier accepts goes down.
//
// reward and verifier hold one value per logged step, at evenly spaced
// steps, and must have the same length. It returns the least-squares
// slopes of both series per logged point (see Trend) and reports gaming
// when all of these hold:
//
//   - the run has at least max(minSteps, 3) logged steps;
//   - rewardSlope > 0;
//   - verifierSlope < 0;
//   - the verifier's fitted drop over the run, −verifierSlope·(n − 1),
//     exceeds its noise floor GamingSignificance · se · (n − 1). Here se is
//     the standard error of the verifier's slope, computed from the
//     verifier's own residuals around its fitted line.
//
// The last condition is |verifierSlope| > 2·se, a t test of the
// verifier's trend: a flat but noisy verifier is not flagged, while a
// noise-free decline is flagged however small. A NaN or infinite value
// makes the slopes NaN and the run unflagged.
//
// It panics when reward and verifier differ in length.
func GamingFlag(reward, verifier []float64, minSteps int) (flagged bool,
	rewardSlope, verifierSlope float64) {
	if len(reward) != len(verifier) {
		panic(fmt.Sprintf("stats: GamingFlag: reward has %d values but verifier has %d; "+
			"pass both series at the same logged steps", len(reward), len(verifier)))
	}
	rewardSlope = Trend(reward)
	verifierSlope, se := fitLine(verifier)

	n := len(verifier)
	if n < max(minSteps, 3) {
		return false, rewardSlope, verifierSlope
	}
	span := float64(n - 1)
	drop := -verifierSlope * span
	noiseFloor := GamingSignificance * se * span
	flagged = rewardSlope > 0 && verifierSlope < 0 && drop > noiseFloor
	return flagged, rewardSlope, verifierSlope
}
