package tokenmdp

import (
	"math"
	"math/rand/v2"
)

// Sequence is one complete response: its prompt, its actions and the states
// they were taken in (States[t] is s_{t+1} in 1-based notation).
type Sequence struct {
	Prompt  int
	Actions []int
	States  []int
}

// Sequences enumerates every complete response of every prompt, in
// depth-first order with actions in increasing id.
func (t *Tree) Sequences() []Sequence {
	var out []Sequence
	var walk func(p, s int, actions, states []int)
	walk = func(p, s int, actions, states []int) {
		for a := range t.Vocab {
			acts := append(append([]int{}, actions...), a)
			sts := append(append([]int{}, states...), s)
			if next := t.Child(s, a); next >= 0 {
				walk(p, next, acts, sts)
			} else {
				out = append(out, Sequence{Prompt: p, Actions: acts, States: sts})
			}
		}
	}
	for p := range t.Prompts {
		walk(p, t.Root(p), nil, nil)
	}
	return out
}

// LogProb returns log π(y|x) = Σ_t log π(y_t|s_t) under logPolicy.
func (t *Tree) LogProb(logPolicy []float64, seq Sequence) float64 {
	sum := 0.0
	for i, a := range seq.Actions {
		sum += logPolicy[seq.States[i]*t.Vocab+a]
	}
	return sum
}

// SequenceProbs returns π(y|x) for every sequence of seqs.
func (t *Tree) SequenceProbs(logPolicy []float64, seqs []Sequence) []float64 {
	out := make([]float64, len(seqs))
	for i, s := range seqs {
		out[i] = math.Exp(t.LogProb(logPolicy, s))
	}
	return out
}

// Sample draws n responses: the prompt uniformly at random, then each token
// from the policy.
func (t *Tree) Sample(logPolicy []float64, n int, rng *rand.Rand) []Sequence {
	out := make([]Sequence, n)
	for i := range out {
		p := rng.IntN(t.Prompts)
		out[i] = t.SampleFrom(logPolicy, p, rng)
	}
	return out
}

// SampleFrom draws one response to prompt p from the policy.
func (t *Tree) SampleFrom(logPolicy []float64, p int, rng *rand.Rand) Sequence {
	seq := Sequence{Prompt: p}
	s := t.Root(p)
	for s >= 0 {
		u := rng.Float64()
		a, acc := t.Vocab-1, 0.0
		for b := range t.Vocab {
			acc += math.Exp(logPolicy[s*t.Vocab+b])
			if u < acc {
				a = b
				break
			}
		}
		seq.Actions = append(seq.Actions, a)
		seq.States = append(seq.States, s)
		s = t.Child(s, a)
	}
	return seq
}
