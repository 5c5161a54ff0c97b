package theory

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/dprkit/dprkit/dprlib/policy"
	"github.com/dprkit/dprkit/dprlib/reward"
)

// Tolerances for transformers. Checks computed on the host from float32
// logits are exact in float64 up to rounding. Checks that compare with the
// kit's own float32 graph (the SFT log-likelihood, the dense reward) allow
// float32 rounding of sums over up to a few hundred tokens.
const (
	hostTolerance    = 1e-9
	float32Tolerance = 1e-3
)

// Stage is one checkpoint of an SFT run.
type Stage struct {
	Name  string
	Model *policy.Model
}

// ModelReport holds the checks on one trained transformer and its γ-gap points.
type ModelReport struct {
	Checks   []Check
	GammaGap []GapPoint
}

// RunModel runs the checks that apply to a transformer on demos. The
// IQ-Learn identity runs at every stage, against the log-likelihood of the
// kit's scoring graph. The γ-gap, recovered return, shaping, gauge and χ²
// checks run on the last stage, which is π_SFT. The dense-reward and sign
// checks compare it with ref (π_ref), and stability compares every pair of
// stages.
func RunModel(level string, scorer *policy.Scorer, stages []Stage, ref Stage, demos []policy.Sequence,
	batchSize int, seed uint64) (*ModelReport, error) {
	if len(stages) == 0 || len(demos) == 0 {
		return nil, fmt.Errorf("%s checks need at least one checkpoint and one demonstration", level)
	}
	rep := &ModelReport{}
	add := func(c Check, stage string) { rep.Checks = append(rep.Checks, c.at(level, stage)) }
	trajs := map[string][]Trajectory{}
	for _, st := range append(stages, ref) {
		if _, done := trajs[st.Name]; done {
			continue
		}
		tr, err := ModelTrajectories(scorer, st.Model, demos, batchSize)
		if err != nil {
			return nil, fmt.Errorf("%s, %s: %w", level, st.Name, err)
		}
		trajs[st.Name] = tr
	}

	for _, st := range stages {
		ll, err := graphLogLikelihoods(scorer, st.Model, demos, batchSize)
		if err != nil {
			return nil, err
		}
		add(IQLearnIdentity(trajs[st.Name], ll, 1, float32Tolerance), st.Name)
	}

	last := stages[len(stages)-1]
	sft := trajs[last.Name]
	gap, points := GammaGap(sft, GammaGrid(), 2, hostTolerance)
	add(gap, last.Name)
	rep.GammaGap = points
	add(RecoveredReturn(sft, 1, hostTolerance), last.Name)
	add(Shaping(sft, 1, hostTolerance), last.Name)
	rng := rand.New(rand.NewPCG(seed, 0x9a09e))
	offsets := make([][]float64, len(sft))
	for i, tr := range sft {
		for range tr.Logits {
			offsets[i] = append(offsets[i], 3*rng.NormFloat64())
		}
	}
	add(Gauge(sft, func(i, t, _ int) float64 { return offsets[i][t] }, 0.9, hostTolerance), last.Name)

	refTrajs := trajs[ref.Name]
	dense, err := kitDenseReward(scorer, last.Model, ref.Model, demos, batchSize)
	if err != nil {
		return nil, err
	}
	add(DenseRewardTelescopes(dense, sft, refTrajs, float32Tolerance), last.Name+" vs "+ref.Name)
	add(DenseRewardDecomposition(sft, refTrajs, 1, hostTolerance), last.Name+" vs "+ref.Name)
	sSFT, sRef := SignFacts(sft, refTrajs, DenseRewardOf, hostTolerance)
	add(sSFT, last.Name+" vs "+ref.Name)
	add(sRef, last.Name+" vs "+ref.Name)

	worstR, worstPi := 0.0, 0.0
	for i := range stages {
		for j := i + 1; j < len(stages); j++ {
			r, p := Stability(trajs[stages[i].Name], trajs[stages[j].Name], 1, 2, 2)
			worstR, worstPi = math.Max(worstR, r), math.Max(worstPi, p)
		}
	}
	if len(stages) > 1 {
		detail := fmt.Sprintf("largest ratio over %d checkpoint pairs", len(stages)*(len(stages)-1)/2)
		add(atMost(NameStabilityR, detail, worstR, 1), "γ = 1")
		add(atMost(NameStabilityPi, detail, worstPi, 1), "γ = 1")
	}

	off, on := ChiSquareChecks(sft)
	add(off, last.Name)
	add(on, last.Name)
	return rep, nil
}

// graphLogLikelihoods returns Σ_t log π(y_t|s_t) of each demonstration's
// response as the kit's scoring graph computes it in float32.
func graphLogLikelihoods(scorer *policy.Scorer, m *policy.Model, demos []policy.Sequence, batchSize int) (
	[]float64, error) {
	var out []float64
	for lo := 0; lo < len(demos); lo += batchSize {
		part := demos[lo:min(lo+batchSize, len(demos))]
		batch, _, err := policy.SequenceBatch(part, m.Config.Context, 0)
		if err != nil {
			return nil, err
		}
		lp, err := scorer.LogProbs(m, batch)
		if err != nil {
			return nil, err
		}
		for _, resp := range policy.ResponseValues(part, batch.Length-1, lp) {
			out = append(out, reward.Sum(resp))
		}
	}
	return out, nil
}

// kitDenseReward returns r̂ along each response as the reward package
// computes it for DPR.
func kitDenseReward(scorer *policy.Scorer, sft, ref *policy.Model, demos []policy.Sequence, batchSize int) (
	[][]float64, error) {
	dense, err := reward.NewScorer(scorer, reward.LogRatio, sft, ref)
	if err != nil {
		return nil, err
	}
	d, err := dense.Score(demos, batchSize)
	if err != nil {
		return nil, err
	}
	out := make([][]float64, len(d.Reward))
	for i, r := range d.Reward {
		for _, x := range r {
			out[i] = append(out[i], float64(x))
		}
	}
	return out, nil
}
