package tokenmdp

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// DenseReward returns r̂(s, a) = log π_SFT(a|s) − log π_ref(a|s) for every
// state and action, from the two policies' log-probabilities.
func DenseReward(logSFT, logRef []float64) []float64 {
	r := make([]float64, len(logSFT))
	for i := range r {
		r[i] = logSFT[i] - logRef[i]
	}
	return r
}

// ClosedFormOptimum returns the sequence distribution that maximises
// E_π[Σ_t r̂_t] − β·KL(π‖π_SFT) for each prompt:
//
//	π*(y|x) ∝ π_SFT(y|x)^(1+1/β) · π_ref(y|x)^(−1/β)
//
// normalised over the prompt's sequences. It is computed by enumeration.
func (t *Tree) ClosedFormOptimum(logSFT, logRef []float64, beta float64, seqs []Sequence) []float64 {
	logW := make([]float64, len(seqs))
	for i, y := range seqs {
		logW[i] = (1+1/beta)*t.LogProb(logSFT, y) - (1/beta)*t.LogProb(logRef, y)
	}
	return normalisePerPrompt(seqs, logW)
}

// TokenOptimum returns the token-level policy that maximises the same
// objective, by soft backward induction: with reward
// r'(s, a) = (r̂(s, a) + β·log π_SFT(a|s))/β the objective is β times a soft
// (entropy-regularised) return, whose optimum is the soft-optimal policy
// of r'. Its sequence distribution equals ClosedFormOptimum.
func (t *Tree) TokenOptimum(logSFT, logRef []float64, beta float64) []float64 {
	r := DenseReward(logSFT, logRef)
	for i := range r {
		r[i] = (r[i] + beta*logSFT[i]) / beta
	}
	return t.LogPolicy(t.SoftOptimal(r, 1))
}

// Objective returns J(π) = E_x E_{y~π}[Σ_t r̂_t − β·log(π(y|x)/π_SFT(y|x))],
// with prompts weighted equally, by enumeration over seqs.
func (t *Tree) Objective(logPi, logSFT, logRef []float64, beta float64, seqs []Sequence) float64 {
	r := DenseReward(logSFT, logRef)
	j := 0.0
	for _, y := range seqs {
		lp := t.LogProb(logPi, y)
		ret := 0.0
		for k, a := range y.Actions {
			ret += r[y.States[k]*t.Vocab+a]
		}
		j += math.Exp(lp) * (ret - beta*(lp-t.LogProb(logSFT, y)))
	}
	return j / float64(t.Prompts)
}

// SequenceKL returns KL(p‖q) between two policies' sequence distributions,
// averaged over prompts.
func (t *Tree) SequenceKL(logP, logQ []float64, seqs []Sequence) float64 {
	kl := 0.0
	for _, y := range seqs {
		lp := t.LogProb(logP, y)
		kl += math.Exp(lp) * (lp - t.LogProb(logQ, y))
	}
	return kl / float64(t.Prompts)
}

// TotalVariation returns ½ Σ_y |p(y) − q(y)| averaged over prompts, for two
// distributions over seqs.
func (t *Tree) TotalVariation(p, q []float64) float64 {
	tv := 0.0
	for i := range p {
		tv += math.Abs(p[i] - q[i])
	}
	return tv / 2 / float64(t.Prompts)
}

// normalisePerPrompt turns log-weights into probabilities that sum to 1
// within each prompt.
func normalisePerPrompt(seqs []Sequence, logW []float64) []float64 {
	byPrompt := map[int][]float64{}
	for i, y := range seqs {
		byPrompt[y.Prompt] = append(byPrompt[y.Prompt], logW[i])
	}
	norm := map[int]float64{}
	for p, ws := range byPrompt {
		norm[p] = logSumExp(ws)
	}
	out := make([]float64, len(seqs))
	for i, y := range seqs {
		out[i] = math.Exp(logW[i] - norm[y.Prompt])
	}
	return out
}

// DPRConfig sets tabular Dense-Path REINFORCE.
type DPRConfig struct {
	// Beta is the KL coefficient of the per-token k1 penalty in the reward.
	Beta float64
	// LearningRate is the plain gradient-ascent step on the logits.
	LearningRate float64
	// Steps is the number of updates, each on Batch sampled responses.
	Steps, Batch int
	// Baseline subtracts the batch-mean return-to-go of the same prompt and
	// position from other samples (leave-one-out).
	Baseline bool
	// RecordEvery is the number of updates between recorded distances.
	RecordEvery int
	Seed        uint64
}

// DPR runs Dense-Path REINFORCE from π_θ = π_SFT with sampled responses:
// r̃_t = r̂_t − β·(log π_θ − log π_SFT), G_t = Σ_{k≥t} r̃_k, and the logits of
// each visited state move by LearningRate·(G_t − b_t)·(e_a − π(·|s))/Batch.
// distance is called on the current log-policy every RecordEvery steps
// (and at steps 0 and Steps); DPR returns the final logits and the
// recorded steps and distances.
func (t *Tree) DPR(qSFT, qRef []float64, cfg DPRConfig, distance func(logPi []float64) float64) (
	q []float64, steps []int, distances []float64, err error) {
	if cfg.Steps < 0 || cfg.Batch < 1 || !(cfg.LearningRate > 0) || !(cfg.Beta > 0) || cfg.RecordEvery < 1 {
		return nil, nil, nil, fmt.Errorf("tabular DPR needs β > 0, a positive learning rate, batch and "+
			"record interval (got %+v)", cfg)
	}
	logSFT, logRef := t.LogPolicy(qSFT), t.LogPolicy(qRef)
	r := DenseReward(logSFT, logRef)
	q = clone(qSFT)
	rng := rand.New(rand.NewPCG(cfg.Seed, 0xd9a))
	record := func(step int) {
		steps = append(steps, step)
		distances = append(distances, distance(t.LogPolicy(q)))
	}
	record(0)
	grad := make([]float64, len(q))
	for step := 1; step <= cfg.Steps; step++ {
		lp := t.LogPolicy(q)
		batch := t.Sample(lp, cfg.Batch, rng)
		returns := make([][]float64, len(batch))
		for i, y := range batch {
			shaped := make([]float64, len(y.Actions))
			for k, a := range y.Actions {
				idx := y.States[k]*t.Vocab + a
				shaped[k] = r[idx] - cfg.Beta*(lp[idx]-logSFT[idx])
			}
			acc := 0.0
			returns[i] = make([]float64, len(shaped))
			for k := len(shaped) - 1; k >= 0; k-- {
				acc += shaped[k]
				returns[i][k] = acc
			}
		}
		baseline := t.leaveOneOut(batch, returns, cfg.Baseline)
		clear(grad)
		for i, y := range batch {
			for k, a := range y.Actions {
				s := y.States[k]
				adv := returns[i][k] - baseline[i][k]
				for b := range t.Vocab {
					grad[s*t.Vocab+b] -= adv * math.Exp(lp[s*t.Vocab+b])
				}
				grad[s*t.Vocab+a] += adv
			}
		}
		for j := range q {
			q[j] += cfg.LearningRate * grad[j] / float64(cfg.Batch)
		}
		if step%cfg.RecordEvery == 0 || step == cfg.Steps {
			record(step)
		}
	}
	return q, steps, distances, nil
}

// leaveOneOut returns, for each sample and position, the mean return-to-go at
// that position of the batch's other samples of the same prompt. A sample
// shorter than the position counts as 0, and the result is all zeros when on
// is false.
func (t *Tree) leaveOneOut(batch []Sequence, returns [][]float64, on bool) [][]float64 {
	out := make([][]float64, len(batch))
	for i := range batch {
		out[i] = make([]float64, len(returns[i]))
	}
	if !on {
		return out
	}
	for i, y := range batch {
		for k := range returns[i] {
			sum, n := 0.0, 0
			for j, z := range batch {
				if j == i || z.Prompt != y.Prompt {
					continue
				}
				n++
				if k < len(returns[j]) {
					sum += returns[j][k]
				}
			}
			if n > 0 {
				out[i][k] = sum / float64(n)
			}
		}
	}
	return out
}
