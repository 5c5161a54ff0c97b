package theory

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/dprkit/dprkit/dprlib/tokenmdp"
)

// TreeConfig sizes the exact tree-MDP suite.
type TreeConfig struct {
	Vocab, Horizon, Prompts int
	// RewardScale is the standard deviation of the expert reward r*.
	RewardScale float64
	// Demonstrations is the number of expert responses SFT learns from.
	Demonstrations int
	SFT            tokenmdp.SFTConfig
	// RefFraction picks π_ref among the SFT checkpoints.
	RefFraction float64
	// Beta is the KL coefficient of the DPR objective.
	Beta float64
	DPR  tokenmdp.DPRConfig
	// RecoverySizes are the demonstration counts of the reward-recovery curve.
	RecoverySizes []int
	// StabilityPairs is the number of random Q pairs of the stability check.
	StabilityPairs int
	// Alphas are the χ² regulariser strengths of the χ² curve.
	Alphas []float64
	Seed   uint64
}

// DefaultTree returns a 2-prompt tree with vocabulary 4 (EOS included) and
// horizon 5, 2,000 demonstrations, π_ref at half the data, β = 0.5, and 4,000
// DPR updates of 64 samples at learning rate 0.2.
func DefaultTree() TreeConfig {
	sft := tokenmdp.DefaultSFT()
	return TreeConfig{
		Vocab: 4, Horizon: 5, Prompts: 2, RewardScale: 1, Demonstrations: 2000, SFT: sft,
		RefFraction: 0.5, Beta: 0.5,
		DPR: tokenmdp.DPRConfig{Beta: 0.5, LearningRate: 0.2, Steps: 4000, Batch: 64, Baseline: true,
			RecordEvery: 100, Seed: 1},
		RecoverySizes:  []int{30, 100, 300, 1000, 3000, 10000},
		StabilityPairs: 200,
		Alphas:         []float64{0.1, 0.3, 1, 3, 10, 30, 100, 1000},
		Seed:           1,
	}
}

// Exact tolerances in float64: sums of at most a few dozen terms of size
// ~10, so rounding stays far below them.
const (
	treeTolerance = 1e-10
	// chiSquareOn bounds the relative χ² gap at α = 10⁶.
	chiSquareOn = 1e-4
	// chiSquareOff is the least relative χ² gap at α = 1 that shows the
	// objectives differ.
	chiSquareOff = 1e-3
)

// RecoveryPoint is the error of the reward recovered by SFT on a number of
// demonstrations, with and without removing the best shaping.
type RecoveryPoint struct {
	Demonstrations   int
	Shaped, Unshaped float64
}

// TreeReport holds the checks of the tree suite and the data of its figures.
type TreeReport struct {
	Checks   []Check
	GammaGap []GapPoint
	Recovery []RecoveryPoint
	// DPRSteps and DPRDistance trace the total variation between the DPR
	// policy's sequence distribution and π*; SFTDistance is that of π_SFT.
	DPRSteps    []int
	DPRDistance []float64
	SFTDistance float64
	// RewardRatios and PolicyRatios are the stability ratios of every pair.
	RewardRatios, PolicyRatios []float64
	// Alphas, ChiSquareGap and ChiSquareDistance trace the χ² objective's
	// gap from SFT and the distance of its maximiser from SFT's.
	Alphas, ChiSquareGap, ChiSquareDistance []float64
}

// TreeSetup is the tree, the expert, its demonstrations and the tabular SFT
// checkpoints that the tree suite checks.
type TreeSetup struct {
	Tree   *tokenmdp.Tree
	Expert tokenmdp.Expert
	// Demos are the expert responses SFT learns from.
	Demos []tokenmdp.Sequence
	// Sequences enumerates every complete response.
	Sequences []tokenmdp.Sequence
	// Checkpoints maps an SFT data fraction (0 is untrained) to its logits.
	Checkpoints map[float64][]float64
	rng         *rand.Rand
}

// NewTreeSetup builds the tree, draws the expert and its demonstrations and
// runs tabular SFT, all seeded by cfg.Seed.
func NewTreeSetup(cfg TreeConfig) (*TreeSetup, error) {
	tree, err := tokenmdp.NewTree(cfg.Vocab, cfg.Horizon, cfg.Prompts)
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x7ee))
	expert := tree.NewExpert(cfg.RewardScale, rng)
	demos := tree.Sample(expert.LogPolicy, cfg.Demonstrations, rng)
	sftCfg := cfg.SFT
	sftCfg.Seed = cfg.Seed
	ckpts, err := tree.SFT(demos, sftCfg)
	if err != nil {
		return nil, err
	}
	s := &TreeSetup{Tree: tree, Expert: expert, Demos: demos, Sequences: tree.Sequences(),
		Checkpoints: map[float64][]float64{}, rng: rng}
	for _, c := range ckpts {
		s.Checkpoints[c.Fraction] = c.Q
	}
	if s.Checkpoints[cfg.RefFraction] == nil {
		return nil, fmt.Errorf("reference fraction %g is not an SFT checkpoint fraction %v", cfg.RefFraction,
			cfg.SFT.Fractions)
	}
	return s, nil
}

// RunTree runs every check on the tree MDP.
func RunTree(cfg TreeConfig) (*TreeReport, error) {
	setup, err := NewTreeSetup(cfg)
	if err != nil {
		return nil, err
	}
	tree, expert, demos, rng := setup.Tree, setup.Expert, setup.Demos, setup.rng
	byFraction := setup.Checkpoints
	qSFT, qRef := byFraction[1], byFraction[cfg.RefFraction]
	rep := &TreeReport{}
	add := func(c Check, stage string) { rep.Checks = append(rep.Checks, c.at(LevelTree, stage)) }
	seqs := setup.Sequences

	// 1. SFT = IQ-Learn at γ = 1, for untrained, half-trained and trained logits.
	for _, stage := range []struct {
		name     string
		fraction float64
	}{{"untrained", 0}, {"half", 0.5}, {"trained", 1}} {
		trajs := TreeTrajectories(tree, byFraction[stage.fraction], demos)
		ll := make([]float64, len(demos))
		lp := tree.LogPolicy(byFraction[stage.fraction])
		for i, d := range demos {
			ll[i] = tree.LogProb(lp, d)
		}
		add(IQLearnIdentity(trajs, ll, 1, treeTolerance), stage.name)
	}

	// 2–5 on the trained logits, over every complete response.
	all := TreeTrajectories(tree, qSFT, seqs)
	gap, points := GammaGap(TreeTrajectories(tree, qSFT, demos), GammaGrid(), 2, treeTolerance)
	add(gap, "trained")
	rep.GammaGap = points
	add(RecoveredReturn(all, 1, treeTolerance), "trained")
	add(Shaping(all, 1, treeTolerance), "trained")
	offsets := tree.RandomTable(3, rng)
	add(Gauge(all, func(i, t, a int) float64 { return offsets[seqs[i].States[t]*tree.Vocab] }, 0.9,
		treeTolerance), "trained")

	// 6–7: the dense reward between the trained and the reference logits.
	ref := TreeTrajectories(tree, qRef, seqs)
	add(DenseRewardTelescopes(DenseReward(all, ref), all, ref, treeTolerance), "trained")
	add(DenseRewardDecomposition(all, ref, 1, treeTolerance), "trained")
	sSFT, sRef := SignFacts(all, ref, DenseRewardOf, 0)
	add(sSFT, "trained")
	add(sRef, "trained")

	// 8: the KL-regularised optimum.
	if err := rep.optimumChecks(tree, qSFT, qRef, cfg, seqs, add); err != nil {
		return nil, err
	}

	// 9: sup-norm stability over random pairs.
	rep.stabilityChecks(tree, seqs, cfg.StabilityPairs, rng, add)

	// 10: the χ² regulariser.
	off, on := ChiSquareChecks(TreeTrajectories(tree, qSFT, demos))
	add(off, "trained")
	add(on, "trained")
	rep.chiSquareCurve(tree, demos, byFraction[0], seqs, cfg)

	// Reward recovery against r* as SFT data grows.
	if err := rep.recoveryCurve(tree, expert, seqs, cfg, rng, add); err != nil {
		return nil, err
	}
	return rep, nil
}

// GammaGrid returns the discounts of the γ-gap curve, from 0.5 to 1.
func GammaGrid() []float64 {
	return []float64{0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1}
}

func (rep *TreeReport) optimumChecks(tree *tokenmdp.Tree, qSFT, qRef []float64, cfg TreeConfig,
	seqs []tokenmdp.Sequence, add func(Check, string)) error {
	logSFT, logRef := tree.LogPolicy(qSFT), tree.LogPolicy(qRef)
	closed := tree.ClosedFormOptimum(logSFT, logRef, cfg.Beta, seqs)
	optimum := tree.TokenOptimum(logSFT, logRef, cfg.Beta)
	add(OptimumAgreement(tree, closed, tree.SequenceProbs(optimum, seqs), treeTolerance), "β = "+fmt.Sprint(cfg.Beta))
	jStar := tree.Objective(optimum, logSFT, logRef, cfg.Beta, seqs)
	jSFT := tree.Objective(logSFT, logSFT, logRef, cfg.Beta, seqs)
	add(atLeast(NameImprovement, "J(π*) − J(π_SFT), J(π) = E[Σ r̂] − β KL(π‖π_SFT)", jStar-jSFT, 0),
		"β = "+fmt.Sprint(cfg.Beta))
	add(atMost(NameJSFT, "|J(π_SFT) − KL(π_SFT‖π_ref)| over sequences",
		math.Abs(jSFT-tree.SequenceKL(logSFT, logRef, seqs)), treeTolerance), "β = "+fmt.Sprint(cfg.Beta))

	dprCfg := cfg.DPR
	dprCfg.Beta = cfg.Beta
	distance := func(lp []float64) float64 { return tree.TotalVariation(tree.SequenceProbs(lp, seqs), closed) }
	_, steps, dist, err := tree.DPR(qSFT, qRef, dprCfg, distance)
	if err != nil {
		return err
	}
	rep.DPRSteps, rep.DPRDistance, rep.SFTDistance = steps, dist, dist[0]
	add(atMost(NameDPRConverges, fmt.Sprintf("total variation to π* after %d DPR updates over that of π_SFT",
		dprCfg.Steps), dist[len(dist)-1]/dist[0], 0.25), "β = "+fmt.Sprint(cfg.Beta))
	return nil
}

// OptimumAgreement compares two sequence distributions by total variation.
func OptimumAgreement(tree *tokenmdp.Tree, closed, token []float64, tol float64) Check {
	return atMost(NameOptimum, "total variation between the two sequence distributions",
		tree.TotalVariation(closed, token), tol)
}

func (rep *TreeReport) stabilityChecks(tree *tokenmdp.Tree, seqs []tokenmdp.Sequence, pairs int,
	rng *rand.Rand, add func(Check, string)) {
	for _, gamma := range []float64{1, 0.9} {
		worstR, worstPi := 0.0, 0.0
		for range pairs {
			a := tree.RandomTable(0.5+3*rng.Float64(), rng)
			b := append([]float64(nil), a...)
			scale := math.Pow(10, -2+3*rng.Float64())
			for j := range b {
				b[j] += scale * rng.NormFloat64()
			}
			r, p := Stability(TreeTrajectories(tree, a, seqs), TreeTrajectories(tree, b, seqs), gamma, 1+gamma, 2)
			worstR, worstPi = math.Max(worstR, r), math.Max(worstPi, p)
			if gamma == 1 {
				rep.RewardRatios = append(rep.RewardRatios, r)
				rep.PolicyRatios = append(rep.PolicyRatios, p)
			}
		}
		stage := fmt.Sprintf("γ = %g", gamma)
		add(atMost(NameStabilityR, fmt.Sprintf("largest ratio over %d random pairs", pairs), worstR, 1), stage)
		add(atMost(NameStabilityPi, fmt.Sprintf("largest ratio over %d random pairs", pairs), worstPi, 1), stage)
	}
}

func (rep *TreeReport) chiSquareCurve(tree *tokenmdp.Tree, demos []tokenmdp.Sequence, q0 []float64,
	seqs []tokenmdp.Sequence, cfg TreeConfig) {
	const steps, lr = 600, 0.05
	linear := tree.MaximiseIQLearn(q0, demos, math.Inf(1), steps, lr)
	pLinear := tree.SequenceProbs(tree.LogPolicy(linear), seqs)
	trajs := TreeTrajectories(tree, linear, demos)
	for _, alpha := range cfg.Alphas {
		chi := tree.MaximiseIQLearn(q0, demos, alpha, steps, lr)
		rep.Alphas = append(rep.Alphas, alpha)
		rep.ChiSquareGap = append(rep.ChiSquareGap, ChiSquareGap(trajs, alpha))
		rep.ChiSquareDistance = append(rep.ChiSquareDistance,
			tree.TotalVariation(tree.SequenceProbs(tree.LogPolicy(chi), seqs), pLinear))
	}
}

func (rep *TreeReport) recoveryCurve(tree *tokenmdp.Tree, expert tokenmdp.Expert, seqs []tokenmdp.Sequence,
	cfg TreeConfig, rng *rand.Rand, add func(Check, string)) error {
	weights := tree.SequenceProbs(expert.LogPolicy, seqs)
	for _, n := range cfg.RecoverySizes {
		demos := tree.Sample(expert.LogPolicy, n, rng)
		sftCfg := cfg.SFT
		// Keep the number of updates about equal across sizes.
		sftCfg.Epochs = max(1, cfg.SFT.Epochs*cfg.Demonstrations/n)
		ckpts, err := tree.SFT(demos, sftCfg)
		if err != nil {
			return err
		}
		r := tree.Recovered(ckpts[len(ckpts)-1].Q, 1)
		shaped, unshaped := tree.RecoveryError(r, expert.Reward, seqs, weights)
		rep.Recovery = append(rep.Recovery, RecoveryPoint{n, shaped, unshaped})
	}
	first, last := rep.Recovery[0], rep.Recovery[len(rep.Recovery)-1]
	add(atMost(NameRecovery, fmt.Sprintf("shaped error at %d over %d demonstrations (%.3g / %.3g nats)",
		last.Demonstrations, first.Demonstrations, last.Shaped, first.Shaped), last.Shaped/first.Shaped, 0.5),
		"r*")
	return nil
}
