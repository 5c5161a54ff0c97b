// Package tokenmdp is an exact, enumerable token MDP: every prompt is the
// root of a tree of response prefixes, so soft values, policies, rewards and
// whole-sequence distributions can be computed in float64 without sampling.
//
// Actions are token ids 0..Vocab−1, and id 0 is EOS. A state is a prompt and
// the tokens emitted so far. It becomes terminal after EOS or after Horizon
// tokens, and terminal states have soft value 0. A tabular Q-function is a
// slice of NumStates()·Vocab logits, Q(s, a) at index s·Vocab + a.
package tokenmdp

import (
	"fmt"
	"math"
)

// EOS is the action that ends a response.
const EOS = 0

// Limits on a Tree's size, which keep exact enumeration cheap.
const (
	MinVocab, MaxVocab     = 2, 6
	MinHorizon, MaxHorizon = 2, 8
	MaxPrompts             = 8
)

// Tree is the state space of a token MDP with Prompts roots.
type Tree struct {
	Vocab, Horizon, Prompts int

	prompt, depth []int
	// child[s·Vocab + a] is the state reached by action a, or −1 if terminal.
	child []int
	// order lists states so that every state comes after its parent.
	order []int
}

// NewTree builds the tree of all response prefixes. vocab counts EOS.
func NewTree(vocab, horizon, prompts int) (*Tree, error) {
	switch {
	case vocab < MinVocab || vocab > MaxVocab:
		return nil, fmt.Errorf("vocabulary %d is outside [%d, %d]", vocab, MinVocab, MaxVocab)
	case horizon < MinHorizon || horizon > MaxHorizon:
		return nil, fmt.Errorf("horizon %d is outside [%d, %d]", horizon, MinHorizon, MaxHorizon)
	case prompts < 1 || prompts > MaxPrompts:
		return nil, fmt.Errorf("prompt count %d is outside [1, %d]", prompts, MaxPrompts)
	}
	t := &Tree{Vocab: vocab, Horizon: horizon, Prompts: prompts}
	for p := range prompts {
		t.addState(p, 0)
	}
	// Breadth-first expansion: states are appended after their parents.
	for s := 0; s < len(t.depth); s++ {
		for a := range vocab {
			next := -1
			if a != EOS && t.depth[s]+1 < horizon {
				next = t.addState(t.prompt[s], t.depth[s]+1)
			}
			t.child[s*vocab+a] = next
		}
		t.order = append(t.order, s)
	}
	return t, nil
}

func (t *Tree) addState(prompt, depth int) int {
	t.prompt = append(t.prompt, prompt)
	t.depth = append(t.depth, depth)
	for range t.Vocab {
		t.child = append(t.child, -1)
	}
	return len(t.depth) - 1
}

// NumStates returns the number of non-terminal states.
func (t *Tree) NumStates() int { return len(t.depth) }

// Root returns the initial state of prompt p; roots are states 0..Prompts−1.
func (t *Tree) Root(p int) int { return p }

// Child returns the state after action a in state s, or −1 if terminal.
func (t *Tree) Child(s, a int) int { return t.child[s*t.Vocab+a] }

// Depth returns the number of tokens emitted before state s.
func (t *Tree) Depth(s int) int { return t.depth[s] }

// Prompt returns the prompt whose tree contains s.
func (t *Tree) Prompt(s int) int { return t.prompt[s] }

// NewTable returns a zero tabular function over states and actions.
func (t *Tree) NewTable() []float64 { return make([]float64, t.NumStates()*t.Vocab) }

// SoftValues returns V(s) = logsumexp_a Q(s, a) for every state.
func (t *Tree) SoftValues(q []float64) []float64 {
	v := make([]float64, t.NumStates())
	for s := range v {
		v[s] = logSumExp(q[s*t.Vocab : (s+1)*t.Vocab])
	}
	return v
}

// LogPolicy returns log π(a|s) = Q(s, a) − V(s), the Boltzmann policy of q.
func (t *Tree) LogPolicy(q []float64) []float64 {
	v := t.SoftValues(q)
	lp := make([]float64, len(q))
	for s := range v {
		for a := range t.Vocab {
			lp[s*t.Vocab+a] = q[s*t.Vocab+a] - v[s]
		}
	}
	return lp
}

// NextValue returns V(s') for the state after a in s, 0 when it is terminal.
func (t *Tree) NextValue(v []float64, s, a int) float64 {
	if next := t.Child(s, a); next >= 0 {
		return v[next]
	}
	return 0
}

// Recovered returns the reward recovered from q by the inverse soft Bellman
// operator, r(s, a) = Q(s, a) − γ·V(s').
func (t *Tree) Recovered(q []float64, gamma float64) []float64 {
	v := t.SoftValues(q)
	r := make([]float64, len(q))
	for s := range v {
		for a := range t.Vocab {
			r[s*t.Vocab+a] = q[s*t.Vocab+a] - gamma*t.NextValue(v, s, a)
		}
	}
	return r
}

// SoftOptimal returns the soft-optimal Q-function for reward r at discount
// γ, by backward induction: Q(s, a) = r(s, a) + γ·V(s'), V(s) = logsumexp_a Q.
func (t *Tree) SoftOptimal(r []float64, gamma float64) []float64 {
	q := make([]float64, len(r))
	v := make([]float64, t.NumStates())
	for i := len(t.order) - 1; i >= 0; i-- {
		s := t.order[i]
		for a := range t.Vocab {
			q[s*t.Vocab+a] = r[s*t.Vocab+a] + gamma*t.NextValue(v, s, a)
		}
		v[s] = logSumExp(q[s*t.Vocab : (s+1)*t.Vocab])
	}
	return q
}

// logSumExp returns log Σ exp(x_i), computed stably.
func logSumExp(x []float64) float64 {
	m := math.Inf(-1)
	for _, xi := range x {
		m = math.Max(m, xi)
	}
	if math.IsInf(m, -1) {
		return m
	}
	sum := 0.0
	for _, xi := range x {
		sum += math.Exp(xi - m)
	}
	return m + math.Log(sum)
}
