package stats

import (
	"encoding/json"
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func TestBootstrapMeanSingleSeed(t *testing.T) {
	iv, err := BootstrapMean([]float64{0.734}, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	want := Interval{Mean: 0.734, Low: 0.734, High: 0.734, Level: 0.95, N: 1}
	if iv != want {
		t.Errorf("interval = %+v, want %+v", iv, want)
	}
}

func TestBootstrapMeanEqualValues(t *testing.T) {
	iv, err := BootstrapMean([]float64{0.1, 0.1, 0.1, 0.1, 0.1}, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	if iv.Low != iv.Mean || iv.High != iv.Mean {
		t.Errorf("interval = %+v, want Low = Mean = High for equal values", iv)
	}
	if math.Abs(iv.Mean-0.1) > 1e-15 {
		t.Errorf("Mean = %v, want 0.1", iv.Mean)
	}
	if iv.N != 5 {
		t.Errorf("N = %d, want 5", iv.N)
	}
}

// resampleDistribution enumerates the n^n equally likely ordered resamples
// of xs and returns each distinct resample mean with its probability,
// sorted by mean. The means are summed as bootstrapMean sums them.
func resampleDistribution(xs []float64) (means, probs []float64) {
	n := len(xs)
	counts := map[string]int{}
	byKey := map[string]float64{}
	total := 1
	for range n {
		total *= n
	}

	draws := make([]int, n)
	for code := range total {
		c := code
		for j := range draws {
			draws[j] = c % n
			c /= n
		}
		multiset := slices.Clone(draws)
		slices.Sort(multiset)
		key := ""
		sum := 0.0
		for _, d := range multiset {
			key += string(rune('a' + d))
			sum += xs[d] / float64(n)
		}
		counts[key]++
		byKey[key] = sum
	}

	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		switch {
		case byKey[a] < byKey[b]:
			return -1
		case byKey[a] > byKey[b]:
			return 1
		}
		return 0
	})

	for _, k := range keys {
		means = append(means, byKey[k])
		probs = append(probs, float64(counts[k])/float64(total))
	}
	return means, probs
}

func TestDistinctResampleCounts(t *testing.T) {
	// The table in the package comment.
	want := map[int]int64{2: 3, 3: 10, 4: 35, 5: 126, 10: 92378}
	for n, count := range want {
		got := new(big.Int).Binomial(int64(2*n-1), int64(n))
		if got.Int64() != count {
			t.Errorf("C(%d, %d) = %v, want %d", 2*n-1, n, got, count)
		}
		if n > 5 {
			continue
		}
		// Values far apart enough that distinct multisets have distinct
		// means.
		xs := make([]float64, n)
		for i := range xs {
			xs[i] = math.Pow(10, float64(i))
		}
		means, _ := resampleDistribution(xs)
		if int64(len(means)) != count {
			t.Errorf("n = %d: %d distinct resamples by enumeration, want %d",
				n, len(means), count)
		}
	}
}

func TestBootstrapMeanThreeSeedsEnumerated(t *testing.T) {
	// With values 0, 3, 10 the ten multisets have ten distinct means:
	// 0, 1, 2, 3, 10/3, 13/3, 16/3, 20/3, 23/3, 10.
	xs := []float64{3, 0, 10}
	means, probs := resampleDistribution(xs)
	if len(means) != 10 {
		t.Fatalf("%d distinct resample means, want 10", len(means))
	}
	isResampleMean := func(v float64) bool {
		for _, m := range means {
			if math.Abs(v-m) < 1e-12 {
				return true
			}
		}
		return false
	}

	cases := []struct {
		level     float64
		low, high float64
	}{
		// P(mean = 0) = 1/27 > 2.5 %, so the 95 % interval is the range.
		{0.95, 0, 10},
		// The lower 20 % cut falls between the cumulative probabilities
		// 4/27 and 7/27 (mean 2), the upper one between 4/27 and 7/27
		// counted from the top (mean 20/3).
		{0.6, 2, 20.0 / 3},
	}
	for _, tc := range cases {
		opts := DefaultOptions()
		opts.Level = tc.level
		iv, err := BootstrapMean(xs, opts)
		if err != nil {
			t.Fatal(err)
		}
		if !isResampleMean(iv.Low) || !isResampleMean(iv.High) {
			t.Errorf("level %v: interval %v has a bound that is no resample mean %v",
				tc.level, iv, means)
		}
		if math.Abs(iv.Low-tc.low) > 1e-12 {
			t.Errorf("level %v: Low = %v, want %v", tc.level, iv.Low, tc.low)
		}
		if math.Abs(iv.High-tc.high) > 1e-12 {
			t.Errorf("level %v: High = %v, want %v", tc.level, iv.High, tc.high)
		}
		if math.Abs(iv.Mean-13.0/3) > 1e-12 {
			t.Errorf("level %v: Mean = %v, want 13/3", tc.level, iv.Mean)
		}
	}

	// The cuts of the 60 % case sit well inside gaps of the exact
	// distribution, P(mean ≤ 1) = 4/27 and P(mean ≤ 2) = 7/27 around 0.2,
	// so resampling noise cannot move the bounds.
	below := map[float64]float64{}
	cumulative := 0.0
	for i, p := range probs {
		cumulative += p
		below[means[i]] = cumulative
	}
	if got := below[1]; math.Abs(got-4.0/27) > 1e-12 {
		t.Errorf("P(mean ≤ 1) = %v, want 4/27", got)
	}
	if got := below[2]; math.Abs(got-7.0/27) > 1e-12 {
		t.Errorf("P(mean ≤ 2) = %v, want 7/27", got)
	}
}

func TestBootstrapMeanBoundsAreResampleMeans(t *testing.T) {
	xs := []float64{0.612, 0.655, 0.71, 0.698}
	means, _ := resampleDistribution(xs)
	for _, level := range []float64{0.5, 0.8, 0.9, 0.95, 0.99} {
		opts := DefaultOptions()
		opts.Level = level
		iv, err := BootstrapMean(xs, opts)
		if err != nil {
			t.Fatal(err)
		}
		for _, bound := range []float64{iv.Low, iv.High} {
			if !slices.ContainsFunc(means, func(m float64) bool { return math.Abs(m-bound) < 1e-12 }) {
				t.Errorf("level %v: bound %v is not one of the %d resample means",
					level, bound, len(means))
			}
		}
		if !(iv.Low <= iv.Mean && iv.Mean <= iv.High) {
			t.Errorf("level %v: interval %v does not contain its mean", level, iv)
		}
	}
}

func TestBootstrapMeanMatchesNormalTheory(t *testing.T) {
	// For 40 values the bootstrap distribution of the mean is close to
	// normal with standard deviation √((n−1)/n)·s/√n.
	rng := rand.New(rand.NewPCG(7, 11))
	xs := make([]float64, 40)
	for i := range xs {
		xs[i] = 0.7 + 0.05*rng.NormFloat64()
	}
	iv, err := BootstrapMean(xs, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	n := float64(len(xs))
	var ss float64
	for _, x := range xs {
		ss += (x - iv.Mean) * (x - iv.Mean)
	}
	sd := math.Sqrt(ss/(n-1)) * math.Sqrt((n-1)/n) / math.Sqrt(n)
	wantHalf := 1.96 * sd
	for name, half := range map[string]float64{"lower": iv.Mean - iv.Low, "upper": iv.High - iv.Mean} {
		if math.Abs(half-wantHalf) > 0.1*wantHalf {
			t.Errorf("%s half-width = %.5f, want %.5f ± 10 %%", name, half, wantHalf)
		}
	}
}

func TestBootstrapMeanReproducible(t *testing.T) {
	xs := []float64{0.61, 0.66, 0.7, 0.58, 0.73, 0.69}
	first, err := BootstrapMean(xs, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	second, err := BootstrapMean(slices.Clone(xs), DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	if first != second {
		t.Errorf("two runs gave %+v and %+v, want identical intervals", first, second)
	}

	// The values below pin the resampling sequence: a change of the
	// generator, its seeding or the quantile rule shows up here.
	want := Interval{Mean: 0.6616666666666666, Low: 0.6183333333333333,
		High: 0.7016666666666667, Level: 0.95, N: 6}
	if first != want {
		t.Errorf("interval = %#v, want %#v", first, want)
	}

	// Twelve values have enough distinct resample means for another seed
	// to move the bounds.
	many := []float64{0.61, 0.66, 0.7, 0.58, 0.73, 0.69, 0.64, 0.712, 0.597, 0.675, 0.623, 0.688}
	base, err := BootstrapMean(many, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	other := DefaultOptions()
	other.Seed++
	reseeded, err := BootstrapMean(many, other)
	if err != nil {
		t.Fatal(err)
	}
	if reseeded.Mean != base.Mean {
		t.Errorf("Mean changed with the seed: %v against %v", reseeded.Mean, base.Mean)
	}
	if reseeded.Low == base.Low && reseeded.High == base.High {
		t.Errorf("seeds %d and %d gave the same bounds %v; want the seed to select the resamples",
			DefaultSeed, other.Seed, base)
	}
}

func TestDefaultOptions(t *testing.T) {
	o := DefaultOptions()
	if o.Level != 0.95 {
		t.Errorf("Level = %v, want 0.95", o.Level)
	}
	if o.Resamples != 10000 {
		t.Errorf("Resamples = %d, want 10000", o.Resamples)
	}
	if o.Seed != DefaultSeed {
		t.Errorf("Seed = %d, want DefaultSeed", o.Seed)
	}
}

func TestTailCount(t *testing.T) {
	cases := []struct {
		resamples int
		level     float64
		want      int
	}{
		{10000, 0.95, 250},
		{10000, 0.9, 500},
		{10000, 0.99, 50},
		{1000, 0.95, 25},
		{100, 0.99, 1},
		{101, 0.95, 3},
	}
	for _, tc := range cases {
		if got := tailCount(tc.resamples, tc.level); got != tc.want {
			t.Errorf("tailCount(%d, %v) = %d, want %d", tc.resamples, tc.level, got, tc.want)
		}
	}
}

func TestPercentileBounds(t *testing.T) {
	sorted := make([]float64, 10000)
	for i := range sorted {
		sorted[i] = float64(i)
	}
	cases := []struct {
		level     float64
		low, high float64
	}{
		// Low and High are the 250th smallest and largest values, so 9502
		// of the 10000 values lie in [Low, High].
		{0.95, 249, 9750},
		{0.9, 499, 9500},
		{0.5, 2499, 7500},
		{0.99999, 0, 9999},
	}
	for _, tc := range cases {
		low, high := percentileBounds(sorted, tc.level)
		if low != tc.low || high != tc.high {
			t.Errorf("level %v: bounds [%v, %v], want [%v, %v]",
				tc.level, low, high, tc.low, tc.high)
		}
	}
}

// unpairedDifference bootstraps mean(a) − mean(b) resampling a and b
// independently, as if the two methods had run on unrelated seeds.
func unpairedDifference(a, b []float64, opts Options) Interval {
	rng := rand.New(rand.NewPCG(opts.Seed, pcgStream))
	resampleMean := func(xs []float64) float64 {
		sum := 0.0
		for range xs {
			sum += xs[rng.IntN(len(xs))]
		}
		return sum / float64(len(xs))
	}
	diffs := make([]float64, opts.Resamples)
	for r := range diffs {
		diffs[r] = resampleMean(a) - resampleMean(b)
	}
	slices.Sort(diffs)
	low, high := percentileBounds(diffs, opts.Level)
	return Interval{Mean: meanOf(a) - meanOf(b), Low: low, High: high, Level: opts.Level, N: len(a)}
}

func TestPairedDifferenceAgainstUnpaired(t *testing.T) {
	// The seed moves both methods by several points, and DPR adds about 2
	// points on every seed.
	sft := []float64{0.55, 0.71, 0.62, 0.48, 0.66}
	gain := []float64{0.021, 0.018, 0.024, 0.019, 0.02}
	dpr := make([]float64, len(sft))
	for i := range sft {
		dpr[i] = sft[i] + gain[i]
	}

	paired, err := PairedDifference(dpr, sft, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	unpaired := unpairedDifference(dpr, sft, DefaultOptions())

	if math.Abs(paired.Mean-(meanOf(dpr)-meanOf(sft))) > 1e-12 {
		t.Errorf("paired Mean = %v, want mean(dpr) − mean(sft) = %v",
			paired.Mean, meanOf(dpr)-meanOf(sft))
	}
	if paired.Contains(0) {
		t.Errorf("paired interval %v contains 0, want it to show the gain", paired)
	}
	if !unpaired.Contains(0) {
		t.Errorf("unpaired interval %v excludes 0, want the seed spread to hide the gain",
			unpaired)
	}
	pairedWidth, unpairedWidth := paired.High-paired.Low, unpaired.High-unpaired.Low
	if !(pairedWidth < unpairedWidth/10) {
		t.Errorf("paired width %v, want under a tenth of the unpaired width %v",
			pairedWidth, unpairedWidth)
	}
	if paired.N != 5 {
		t.Errorf("N = %d, want 5 seeds", paired.N)
	}

	// Breaking the pairing by reordering one side widens the interval.
	shuffled := []float64{sft[3], sft[0], sft[4], sft[1], sft[2]}
	mismatched, err := PairedDifference(dpr, shuffled, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	if !(mismatched.High-mismatched.Low > 5*pairedWidth) {
		t.Errorf("width with mismatched seeds = %v, want far above the paired width %v",
			mismatched.High-mismatched.Low, pairedWidth)
	}
}

func TestPairedDifferenceMatchesDifferences(t *testing.T) {
	a := []float64{0.7, 0.74, 0.69}
	b := []float64{0.65, 0.7, 0.7}
	paired, err := PairedDifference(a, b, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	diffs := []float64{a[0] - b[0], a[1] - b[1], a[2] - b[2]}
	direct, err := BootstrapMean(diffs, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	if paired != direct {
		t.Errorf("PairedDifference = %+v, BootstrapMean of the differences = %+v; want equal",
			paired, direct)
	}
}

func TestBootstrapErrors(t *testing.T) {
	withLevel := func(level float64) Options {
		o := DefaultOptions()
		o.Level = level
		return o
	}
	withResamples := func(b int) Options {
		o := DefaultOptions()
		o.Resamples = b
		return o
	}
	cases := []struct {
		name string
		xs   []float64
		opts Options
		want string
	}{
		{"empty", nil, DefaultOptions(), "xs is empty; pass one value per seed"},
		{"NaN", []float64{0.5, math.NaN()}, DefaultOptions(), "xs[1] = NaN is not finite"},
		{"infinity", []float64{math.Inf(-1)}, DefaultOptions(), "xs[0] = -Inf is not finite"},
		{"zero options", []float64{1}, Options{}, "Level = 0 is invalid"},
		{"level one", []float64{1}, withLevel(1),
			"Level = 1 is invalid; pass a confidence level in (0, 1)"},
		{"level percent", []float64{1}, withLevel(95), "Level = 95 is invalid"},
		{"level NaN", []float64{1}, withLevel(math.NaN()), "Level = NaN is invalid"},
		{"few resamples", []float64{1}, withResamples(99), "Resamples = 99 is invalid; pass 100 to"},
		{"many resamples", []float64{1}, withResamples(MaxResamples + 1), "Resamples = 10000001"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := BootstrapMean(tc.xs, tc.opts)
			checkError(t, err, tc.want)
		})
	}
}

func TestPairedDifferenceErrors(t *testing.T) {
	cases := []struct {
		name string
		a, b []float64
		want string
	}{
		{"length", []float64{1, 2, 3}, []float64{1, 2}, "a has 3 values but b has 2"},
		{"empty", nil, nil, "a and b are empty"},
		{"NaN in a", []float64{math.NaN(), 1}, []float64{1, 2}, "a[0] = NaN is not finite"},
		{"infinity in b", []float64{1, 2}, []float64{1, math.Inf(1)}, "b[1] = +Inf is not finite"},
		{"overflow", []float64{1e308}, []float64{-1e308}, "a[0] − b[0] = +Inf overflows"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := PairedDifference(tc.a, tc.b, DefaultOptions())
			checkError(t, err, tc.want)
		})
	}
	_, err := PairedDifference([]float64{1}, []float64{1}, Options{Level: 0.95})
	checkError(t, err, "Resamples = 0 is invalid")
}

func TestBootstrapMeanHugeValues(t *testing.T) {
	iv, err := BootstrapMean([]float64{1e308, -1e308, 1e308}, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	for name, v := range map[string]float64{"Mean": iv.Mean, "Low": iv.Low, "High": iv.High} {
		if math.IsInf(v, 0) || math.IsNaN(v) {
			t.Errorf("%s = %v, want a finite value", name, v)
		}
	}
}

func TestIntervalFormat(t *testing.T) {
	iv := Interval{Mean: 0.732, Low: 0.701, High: 0.76, Level: 0.95, N: 3}
	if got, want := iv.Format(100, 1), "73.2 [70.1, 76.0] (n=3)"; got != want {
		t.Errorf("Format(100, 1) = %q, want %q", got, want)
	}
	if got, want := iv.Format(1, -1), "0.732 [0.701, 0.76] (n=3)"; got != want {
		t.Errorf("Format(1, -1) = %q, want %q", got, want)
	}
	neg := Interval{Mean: -0.0213, Low: -0.04, High: -0.0031, Level: 0.95, N: 5}
	if got, want := neg.Format(100, 2), "-2.13 [-4.00, -0.31] (n=5)"; got != want {
		t.Errorf("Format(100, 2) = %q, want %q", got, want)
	}
	if got, want := iv.String(), "0.732 [0.701, 0.76] (n=3)"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestIntervalJSON(t *testing.T) {
	iv := Interval{Mean: 0.5, Low: 0.25, High: 0.75, Level: 0.95, N: 3}
	data, err := json.Marshal(iv)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"mean":0.5,"ci_low":0.25,"ci_high":0.75,"level":0.95,"n":3}`
	if string(data) != want {
		t.Errorf("JSON = %s, want %s", data, want)
	}
	var back Interval
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if back != iv {
		t.Errorf("round trip = %+v, want %+v", back, iv)
	}
}

func TestIntervalContains(t *testing.T) {
	iv := Interval{Mean: 0.02, Low: 0.01, High: 0.03}
	for v, want := range map[float64]bool{0: false, 0.01: true, 0.02: true, 0.03: true, 0.031: false} {
		if got := iv.Contains(v); got != want {
			t.Errorf("Contains(%v) = %v, want %v", v, got, want)
		}
	}
}

func checkError(t *testing.T, err error, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("error = nil, want one containing %q", want)
	}
	if !strings.Contains(err.Error(), want) {
		t.Errorf("error = %q, want it to contain %q", err, want)
	}
}
