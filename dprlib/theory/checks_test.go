package theory

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/dprkit/dprkit/dprlib/tokenmdp"
)

// fixture returns a tree, two random tabular Q-functions and the
// trajectories of both along every complete response.
func fixture(t *testing.T) (*tokenmdp.Tree, []tokenmdp.Sequence, []Trajectory, []Trajectory) {
	t.Helper()
	tree, err := tokenmdp.NewTree(3, 4, 2)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(5, 5))
	seqs := tree.Sequences()
	a := TreeTrajectories(tree, tree.RandomTable(1.5, rng), seqs)
	b := TreeTrajectories(tree, tree.RandomTable(1.5, rng), seqs)
	return tree, seqs, a, b
}

// pair asserts that a correct input passes and a purpose-made violation fails.
func pair(t *testing.T, good, bad Check) {
	t.Helper()
	if !good.Pass() {
		t.Errorf("%s: the identity failed on correct input: %s", good.Name, good)
	}
	if bad.Pass() {
		t.Errorf("%s: a purpose-made violation passed: %s", bad.Name, bad)
	}
}

func TestIQLearnIdentityFailsBelowGammaOne(t *testing.T) {
	_, _, a, _ := fixture(t)
	ll := LogLikelihoods(a)
	pair(t, IQLearnIdentity(a, ll, 1, 1e-10), IQLearnIdentity(a, ll, 0.9, 1e-10))
}

func TestGammaGapFailsWithWrongSum(t *testing.T) {
	_, _, a, _ := fixture(t)
	good, points := GammaGap(a, GammaGrid(), 2, 1e-10)
	bad, _ := GammaGap(a, GammaGrid(), 1, 1e-10)
	pair(t, good, bad)
	if len(points) != len(GammaGrid()) {
		t.Fatalf("%d gap points, want %d", len(points), len(GammaGrid()))
	}
	last := points[len(points)-1]
	if last.Gamma != 1 || math.Abs(last.Measured) > 1e-10 {
		t.Errorf("at γ = 1 the gap is %g, want 0", last.Measured)
	}
}

func TestRecoveredReturnFailsBelowGammaOne(t *testing.T) {
	_, _, a, _ := fixture(t)
	pair(t, RecoveredReturn(a, 1, 1e-10), RecoveredReturn(a, 0.8, 1e-10))
}

func TestShapingFailsBelowGammaOne(t *testing.T) {
	_, _, a, _ := fixture(t)
	pair(t, Shaping(a, 1, 1e-10), Shaping(a, 0.8, 1e-10))
}

func TestGaugeFailsForActionDependentShift(t *testing.T) {
	tree, seqs, a, _ := fixture(t)
	rng := rand.New(rand.NewPCG(6, 6))
	c := tree.RandomTable(2, rng)
	perState := func(i, t, _ int) float64 { return c[seqs[i].States[t]*tree.Vocab] }
	perAction := func(i, t, act int) float64 { return c[seqs[i].States[t]*tree.Vocab+act] }
	pair(t, Gauge(a, perState, 0.9, 1e-10), Gauge(a, perAction, 0.9, 1e-10))
}

func TestTelescopingFailsForOtherReward(t *testing.T) {
	_, _, a, b := fixture(t)
	dense := DenseReward(a, b)
	noisy := make([][]float64, len(dense))
	for i, r := range dense {
		noisy[i] = append([]float64(nil), r...)
		noisy[i][0] += 0.01
	}
	pair(t, DenseRewardTelescopes(dense, a, b, 1e-10), DenseRewardTelescopes(noisy, a, b, 1e-10))
}

func TestDecompositionFailsBelowGammaOne(t *testing.T) {
	_, _, a, b := fixture(t)
	pair(t, DenseRewardDecomposition(a, b, 1, 1e-10), DenseRewardDecomposition(a, b, 0.9, 1e-10))
}

func TestSignFactsFailForNegatedReward(t *testing.T) {
	_, _, a, b := fixture(t)
	goodSFT, goodRef := SignFacts(a, b, DenseRewardOf, 0)
	negated := func(l1, l2 float64) float64 { return l2 - l1 }
	badSFT, badRef := SignFacts(a, b, negated, 0)
	pair(t, goodSFT, badSFT)
	pair(t, goodRef, badRef)
	if !strings.Contains(goodSFT.Detail, "where the policies differ") {
		t.Errorf("detail %q does not count the differing states", goodSFT.Detail)
	}
}

func TestOptimumFailsForWrongExponent(t *testing.T) {
	tree, seqs, _, _ := fixture(t)
	rng := rand.New(rand.NewPCG(7, 7))
	logSFT := tree.LogPolicy(tree.RandomTable(1, rng))
	logRef := tree.LogPolicy(tree.RandomTable(1, rng))
	beta := 0.5
	token := tree.SequenceProbs(tree.TokenOptimum(logSFT, logRef, beta), seqs)
	closed := tree.ClosedFormOptimum(logSFT, logRef, beta, seqs)
	// Dropping the 1 of the exponent 1 + 1/β gives another distribution.
	logW := make([]float64, len(seqs))
	for i, y := range seqs {
		logW[i] = (1/beta)*tree.LogProb(logSFT, y) - (1/beta)*tree.LogProb(logRef, y)
	}
	wrong := make([]float64, len(seqs))
	norm := map[int]float64{}
	for i, y := range seqs {
		norm[y.Prompt] += math.Exp(logW[i])
	}
	for i, y := range seqs {
		wrong[i] = math.Exp(logW[i]) / norm[y.Prompt]
	}
	pair(t, OptimumAgreement(tree, closed, token, 1e-10), OptimumAgreement(tree, wrong, token, 1e-10))
}

func TestStabilityBoundsAreTight(t *testing.T) {
	// A gauge shift whose sign alternates with depth moves r by exactly
	// (1 + γ)‖ΔQ‖∞ and leaves π alone. So the reward bound is reached, and
	// halving it must fail.
	tree, seqs, a, _ := fixture(t)
	b := make([]Trajectory, len(a))
	for i, tr := range a {
		b[i] = Trajectory{Actions: tr.Actions}
		for step, z := range tr.Logits {
			sign := 1.0
			if tree.Depth(seqs[i].States[step])%2 == 1 {
				sign = -1
			}
			row := make([]float64, len(z))
			for act := range z {
				row[act] = z[act] + sign*0.3
			}
			b[i].Logits = append(b[i].Logits, row)
		}
	}
	r, _ := Stability(a, b, 1, 2, 2)
	if r > 1+1e-12 {
		t.Errorf("reward ratio %g exceeds the (1 + γ) bound", r)
	}
	rHalf, _ := Stability(a, b, 1, 1, 2)
	if rHalf <= 1 {
		t.Errorf("with the bound halved the reward ratio %g should exceed 1", rHalf)
	}
	_, p := Stability(a, b, 1, 2, 2)
	if p > 1e-12 {
		t.Errorf("a gauge shift changed log π: ratio %g", p)
	}
}

func TestChiSquareGapScalesInverselyWithAlpha(t *testing.T) {
	_, _, a, _ := fixture(t)
	g1, g10 := ChiSquareGap(a, 1), ChiSquareGap(a, 10)
	if g1 <= 0 || math.Abs(g1/g10-10) > 1e-9 {
		t.Errorf("gap(α = 1) = %g, gap(α = 10) = %g; want a positive gap falling as 1/α", g1, g10)
	}
}

func TestCheckPassAndStatus(t *testing.T) {
	cases := []struct {
		c    Check
		pass bool
		want string
	}{
		{Check{Measured: 1, Relation: "≤", Bound: 2}, true, "pass"},
		{Check{Measured: 3, Relation: "≤", Bound: 2}, false, "FAIL"},
		{Check{Measured: 3, Relation: "≥", Bound: 2}, true, "pass"},
		{Check{Measured: math.NaN(), Relation: "≤", Bound: 2}, false, "FAIL"},
		{Skip("x", LevelGSM8K, "no data"), true, "skipped"},
	}
	for _, c := range cases {
		if c.c.Pass() != c.pass || c.c.Status() != c.want {
			t.Errorf("%+v: pass %v status %q, want %v %q", c.c, c.c.Pass(), c.c.Status(), c.pass, c.want)
		}
	}
}

func TestCheckJSONWritesNaNAsNull(t *testing.T) {
	data, err := json.Marshal([]Check{Skip("x", LevelGSM8K, "no data"), {Name: "y", Measured: 0.5}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"measured":null`) || !strings.Contains(string(data), `"measured":0.5`) {
		t.Errorf("JSON %s, want null for the skipped check and 0.5 for the other", data)
	}
	if strings.Count(string(data), `"measured"`) != 2 {
		t.Errorf("JSON %s repeats the measured field", data)
	}
}
