// Package stats summarises results measured over several training seeds:
// a mean with a percentile-bootstrap confidence interval, the paired
// difference between two methods run on the same seeds, and the trend
// tests behind the reward-gaming monitor.
//
// # Percentile bootstrap
//
// BootstrapMean draws B resamples of the n per-seed values with
// replacement, takes the mean of each, and reports the central Level share
// of those B means as the interval. This treats the seeds as independent
// draws from one run-to-run distribution and uses the spread of the
// resample means in place of the unknown sampling distribution of the
// mean. The percentile interval is only as good as that substitution:
//
//   - The resample mean never leaves [min xs, max xs], so the interval
//     cannot be wider than the range of the seeds.
//   - Its standard deviation is √((n−1)/n) · s/√n, with s the sample
//     standard deviation, so with few seeds it is narrower than the
//     t interval and covers the true mean less often than the nominal Level.
//
// With few seeds the interval is also coarse. A resample is a multiset of
// n values out of n, and there are C(2n−1, n) such multisets, so at most
// that many distinct resample means exist:
//
//	n                   2   3   4    5     10
//	distinct resamples  3  10  35  126  92378
//
// At n = 3 the smallest resample mean, all three draws equal to the
// smallest seed, has probability 1/27 ≈ 3.7 %. That is more than the 2.5 %
// cut of a 95 % interval, so a 95 % interval over three seeds is the range
// of the three values, up to floating-point rounding of the resample
// means. The same holds for n = 2 (probability 1/4). From n = 4 on
// (probability 1/256) the interval lies strictly inside the range.
//
// Every function here is deterministic: the same values and Options give
// the same interval bit for bit. The resampling uses the PCG generator of
// math/rand/v2 seeded from Options.Seed.
package stats

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
)

// Interval is a mean over seeds with its confidence interval. Its JSON
// form has the fields mean, ci_low, ci_high, level and n.
type Interval struct {
	// Mean is the sample mean of the per-seed values.
	Mean float64 `json:"mean"`

	// Low and High bound the confidence interval, Low ≤ Mean ≤ High.
	Low  float64 `json:"ci_low"`
	High float64 `json:"ci_high"`

	// Level is the confidence level of [Low, High], such as 0.95.
	Level float64 `json:"level"`

	// N is the number of seeds the interval is computed from.
	N int `json:"n"`
}

// Format writes the interval as "73.2 [70.1, 76.0] (n=3)" with every
// number multiplied by scale and printed with the given number of
// decimals. Use scale 100 to print a fraction as a percentage. A negative
// decimals prints the shortest representation of each number.
func (iv Interval) Format(scale float64, decimals int) string {
	num := func(v float64) string { return strconv.FormatFloat(v*scale, 'f', decimals, 64) }
	return fmt.Sprintf("%s [%s, %s] (n=%d)", num(iv.Mean), num(iv.Low), num(iv.High), iv.N)
}

// String writes the interval as Format does, with four significant digits
// and no scaling.
func (iv Interval) String() string {
	num := func(v float64) string { return strconv.FormatFloat(v, 'g', 4, 64) }
	return fmt.Sprintf("%s [%s, %s] (n=%d)", num(iv.Mean), num(iv.Low), num(iv.High), iv.N)
}

// Contains reports whether v lies in [Low, High]. For a PairedDifference,
// Contains(0) false means the two methods differ at the interval's level.
func (iv Interval) Contains(v float64) bool {
	return iv.Low <= v && v <= iv.High
}

// Options configures the bootstrap.
type Options struct {
	// Level is the confidence level, in (0, 1).
	Level float64

	// Resamples is the number B of bootstrap resamples, from MinResamples
	// to MaxResamples.
	Resamples int

	// Seed seeds the PCG generator that draws the resamples.
	Seed uint64
}

// Limits and defaults of Options.
const (
	// DefaultLevel is the confidence level of DefaultOptions.
	DefaultLevel = 0.95

	// DefaultResamples is the number of resamples of DefaultOptions.
	DefaultResamples = 10_000

	// DefaultSeed is the generator seed of DefaultOptions.
	DefaultSeed uint64 = 0x9E3779B97F4A7C15

	// MinResamples is the fewest resamples accepted. Below it the tails
	// of a 95 % interval rest on two or three resample means.
	MinResamples = 100

	// MaxResamples is the most resamples accepted, which bounds the
	// memory for the resample means at 80 MB.
	MaxResamples = 10_000_000
)

// pcgStream is the second PCG state word. It is fixed so that Seed alone
// selects the sequence.
const pcgStream = 0xDA3E39CB94B95BDB

// DefaultOptions returns a 95 % interval from 10,000 resamples with a fixed
// seed.
func DefaultOptions() Options {
	return Options{Level: DefaultLevel, Resamples: DefaultResamples, Seed: DefaultSeed}
}

func (o Options) validate(where string) error {
	if math.IsNaN(o.Level) || o.Level <= 0 || o.Level >= 1 {
		return fmt.Errorf("%s: Level = %v is invalid; pass a confidence level in (0, 1) "+
			"such as 0.95, or start from stats.DefaultOptions()", where, o.Level)
	}
	if o.Resamples < MinResamples || o.Resamples > MaxResamples {
		return fmt.Errorf("%s: Resamples = %d is invalid; pass %d to %d resamples "+
			"(10000 is the default)", where, o.Resamples, MinResamples, MaxResamples)
	}
	return nil
}

// BootstrapMean returns the mean of xs, one value per seed, with its
// percentile-bootstrap confidence interval.
//
// It draws B = opts.Resamples resamples of len(xs) values with
// replacement and sorts their means. Low is the k-th smallest and High the
// k-th largest of them, with k = ⌈B·(1 − Level)/2⌉ and at least 1, so both
// bounds are resample means and at least a share Level of the resample
// means lie in [Low, High]. When the sample mean falls outside that range,
// which rounding or a very skewed sample can cause, the interval is
// widened to include it, so Low ≤ Mean ≤ High always holds.
//
// A single value gives Low = High = Mean: one seed shows no spread, and
// the zero width means "not estimated", not "no uncertainty".
//
// It returns an error for an empty xs, a NaN or infinite value, or
// invalid opts.
func BootstrapMean(xs []float64, opts Options) (Interval, error) {
	const where = "stats: BootstrapMean"
	if err := opts.validate(where); err != nil {
		return Interval{}, err
	}
	if len(xs) == 0 {
		return Interval{}, errors.New(where + ": xs is empty; pass one value per seed")
	}
	if err := checkFinite(where, "xs", xs); err != nil {
		return Interval{}, err
	}
	return bootstrapMean(xs, opts), nil
}

// PairedDifference returns the mean of a[i] − b[i] with its
// percentile-bootstrap confidence interval, where a[i] and b[i] are two
// methods' results on the same seed i. Each resample draws seeds with
// replacement and keeps both results of a drawn seed together. This
// removes the variation that the seed causes in both methods alike, so
// the interval is narrower than one built from the two means separately
// whenever the methods' results move together across seeds.
//
// The interval and its rules are those of BootstrapMean applied to the
// differences. It returns an error when a and b differ in length, and for
// the errors of BootstrapMean.
func PairedDifference(a, b []float64, opts Options) (Interval, error) {
	const where = "stats: PairedDifference"
	if err := opts.validate(where); err != nil {
		return Interval{}, err
	}
	if len(a) != len(b) {
		return Interval{}, fmt.Errorf("%s: a has %d values but b has %d; pass one value "+
			"per seed to both, with the seeds in the same order", where, len(a), len(b))
	}
	if len(a) == 0 {
		return Interval{}, errors.New(where + ": a and b are empty; pass one value per seed")
	}
	if err := checkFinite(where, "a", a); err != nil {
		return Interval{}, err
	}
	if err := checkFinite(where, "b", b); err != nil {
		return Interval{}, err
	}

	diffs := make([]float64, len(a))
	for i := range a {
		diffs[i] = a[i] - b[i]
	}
	for i, d := range diffs {
		if math.IsInf(d, 0) {
			return Interval{}, fmt.Errorf("%s: a[%d] − b[%d] = %v overflows float64; "+
				"rescale the values", where, i, i, d)
		}
	}
	return bootstrapMean(diffs, opts), nil
}

// checkFinite rejects NaN and ±Inf, naming the slice and index.
func checkFinite(where, name string, xs []float64) error {
	for i, x := range xs {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("%s: %s[%d] = %v is not finite; drop the diverged seed "+
				"or fix its value", where, name, i, x)
		}
	}
	return nil
}

// bootstrapMean computes the interval of BootstrapMean for validated
// input. It sums x/n rather than dividing the sum by n, so that no mean
// overflows: |Σ x_i/n| ≤ max |x_i|.
func bootstrapMean(xs []float64, opts Options) Interval {
	n := len(xs)
	scaled := make([]float64, n)
	mean := 0.0
	for i, x := range xs {
		scaled[i] = x / float64(n)
		mean += scaled[i]
	}
	iv := Interval{Mean: mean, Low: mean, High: mean, Level: opts.Level, N: n}
	if n == 1 {
		return iv
	}

	rng := rand.New(rand.NewPCG(opts.Seed, pcgStream))
	means := make([]float64, opts.Resamples)
	for r := range means {
		sum := 0.0
		for range n {
			sum += scaled[rng.IntN(n)]
		}
		means[r] = sum
	}
	slices.Sort(means)

	low, high := percentileBounds(means, opts.Level)
	iv.Low = min(low, mean)
	iv.High = max(high, mean)
	return iv
}

// percentileBounds returns the k-th smallest and the k-th largest of the
// sorted values, k = tailCount(len(sorted), level).
func percentileBounds(sorted []float64, level float64) (low, high float64) {
	k := tailCount(len(sorted), level)
	return sorted[k-1], sorted[len(sorted)-k]
}

// tailCount returns k = ⌈B·(1 − level)/2⌉, at least 1. The slack absorbs
// the rounding of 1 − level, which would otherwise turn 250 into 251 for
// B = 10000 and level 0.95.
func tailCount(resamples int, level float64) int {
	const slack = 1e-9
	k := int(math.Ceil(float64(resamples)*(1-level)/2 - slack))
	return max(k, 1)
}

func meanOf(xs []float64) float64 {
	sum := 0.0
	for _, x := range xs {
		sum += x
	}
	return sum / float64(len(xs))
}
