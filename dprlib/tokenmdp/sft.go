package tokenmdp

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// SFTConfig sets supervised fine-tuning of tabular logits.
type SFTConfig struct {
	// LearningRate is Adam's step size on the logits.
	LearningRate float64
	// BatchSize is the number of demonstrations per update.
	BatchSize int
	// Epochs is the number of passes over the demonstrations.
	Epochs int
	// Fractions lists when to keep a checkpoint, as shares of all examples
	// the run consumes. The initial logits are kept as fraction 0.
	Fractions []float64
	// InitScale is the standard deviation of the initial logits.
	InitScale float64
	Seed      uint64
}

// DefaultSFT returns Adam at 0.05 on batches of 16 for 30 epochs, logits
// initialised with standard deviation 0.5, checkpoints at 0.25, 0.5, 0.75, 1.
func DefaultSFT() SFTConfig {
	return SFTConfig{LearningRate: 0.05, BatchSize: 16, Epochs: 30,
		Fractions: []float64{0.25, 0.5, 0.75, 1}, InitScale: 0.5, Seed: 1}
}

// Checkpoint is the tabular Q after a share of the SFT data.
type Checkpoint struct {
	Fraction float64
	Step     int
	Q        []float64
}

// SFT minimises the mean negative log-likelihood per token of demos by Adam
// on the tabular logits, and returns the checkpoints, fraction 0 first.
//
// The gradient of −log π(a|s) with respect to the logits of s is π(·|s) − e_a.
func (t *Tree) SFT(demos []Sequence, cfg SFTConfig) ([]Checkpoint, error) {
	if len(demos) == 0 || cfg.BatchSize < 1 || cfg.Epochs < 1 || !(cfg.LearningRate > 0) {
		return nil, fmt.Errorf("tabular SFT needs demonstrations, a positive batch size, epochs and "+
			"learning rate (got %d demonstrations, %+v)", len(demos), cfg)
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x7ab1e))
	q := t.RandomTable(cfg.InitScale, rng)
	out := []Checkpoint{{Fraction: 0, Q: clone(q)}}
	opt := newAdam(len(q), cfg.LearningRate)

	total := cfg.Epochs * len(demos)
	seen, step, next := 0, 0, 0
	grad := make([]float64, len(q))
	for range cfg.Epochs {
		perm := rng.Perm(len(demos))
		for lo := 0; lo < len(perm); lo += cfg.BatchSize {
			batch := perm[lo:min(lo+cfg.BatchSize, len(perm))]
			clear(grad)
			lp := t.LogPolicy(q)
			tokens := 0
			for _, i := range batch {
				for k, a := range demos[i].Actions {
					s := demos[i].States[k]
					for b := range t.Vocab {
						grad[s*t.Vocab+b] += math.Exp(lp[s*t.Vocab+b])
					}
					grad[s*t.Vocab+a]--
					tokens++
				}
			}
			for j := range grad {
				grad[j] /= float64(tokens)
			}
			opt.step(q, grad)
			step++
			seen += len(batch)
			for next < len(cfg.Fractions) && (float64(seen) >= cfg.Fractions[next]*float64(total) ||
				seen == total) {
				out = append(out, Checkpoint{Fraction: cfg.Fractions[next], Step: step, Q: clone(q)})
				next++
			}
		}
	}
	return out, nil
}

// MeanLogLikelihood returns the mean over demos of Σ_t log π(y_t|s_t).
func (t *Tree) MeanLogLikelihood(q []float64, demos []Sequence) float64 {
	lp := t.LogPolicy(q)
	sum := 0.0
	for _, d := range demos {
		sum += t.LogProb(lp, d)
	}
	return sum / float64(len(demos))
}

// adam is the Adam optimiser (β = 0.9, 0.999, ε = 1e-8) on a flat vector.
type adam struct {
	lr    float64
	m, v  []float64
	steps int
}

func newAdam(n int, lr float64) *adam {
	return &adam{lr: lr, m: make([]float64, n), v: make([]float64, n)}
}

// step moves x against grad.
func (o *adam) step(x, grad []float64) {
	o.steps++
	c1 := 1 - math.Pow(0.9, float64(o.steps))
	c2 := 1 - math.Pow(0.999, float64(o.steps))
	for i, g := range grad {
		o.m[i] = 0.9*o.m[i] + 0.1*g
		o.v[i] = 0.999*o.v[i] + 0.001*g*g
		x[i] -= o.lr * (o.m[i] / c1) / (math.Sqrt(o.v[i]/c2) + 1e-8)
	}
}

func clone(x []float64) []float64 { return append([]float64(nil), x...) }
