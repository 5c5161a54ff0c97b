package tokenmdp

import (
	"math"
)

// IQLearnObjective returns the reduced IQ-Learn objective averaged over
// demos, with regulariser φ:
//
//	J(Q) = (1/N) Σ_demos [Σ_t φ(Q(s_t, y_t) − γ·V(s_{t+1})) − V(s_1)]
//
// With the linear φ(x) = x and γ = 1 it equals the mean log-likelihood.
func (t *Tree) IQLearnObjective(q []float64, demos []Sequence, gamma float64, phi func(float64) float64) float64 {
	r := t.Recovered(q, gamma)
	v := t.SoftValues(q)
	sum := 0.0
	for _, d := range demos {
		sum -= v[t.Root(d.Prompt)]
		for k, a := range d.Actions {
			sum += phi(r[d.States[k]*t.Vocab+a])
		}
	}
	return sum / float64(len(demos))
}

// Linear is the regulariser φ(x) = x under which IQ-Learn is SFT.
func Linear(x float64) float64 { return x }

// ChiSquare returns the χ² regulariser φ(x) = x − x²/(4α), which is
// strongly concave (so the objective is strongly convex in its negation)
// and tends to Linear as α → ∞.
func ChiSquare(alpha float64) func(float64) float64 {
	return func(x float64) float64 { return x - x*x/(4*alpha) }
}

// MaximiseIQLearn runs Adam ascent on the χ² IQ-Learn objective at γ = 1
// from q0 and returns the final logits. alpha = +Inf uses the linear φ, so
// the result then maximises the log-likelihood, as SFT does.
//
// With r_t = Q(s_t, y_t) − V(s_{t+1}) and φ'(r) = 1 − r/(2α), the gradient
// of one demonstration is Σ_t φ'(r_t)·(e_{s_t,y_t} − π(·|s_{t+1})) − π(·|s_1).
func (t *Tree) MaximiseIQLearn(q0 []float64, demos []Sequence, alpha float64, steps int, lr float64) []float64 {
	q := clone(q0)
	opt := newAdam(len(q), lr)
	grad := make([]float64, len(q))
	for range steps {
		lp := t.LogPolicy(q)
		r := t.Recovered(q, 1)
		clear(grad)
		addPolicy := func(s int, w float64) {
			for b := range t.Vocab {
				grad[s*t.Vocab+b] -= w * math.Exp(lp[s*t.Vocab+b])
			}
		}
		for _, d := range demos {
			addPolicy(t.Root(d.Prompt), 1)
			for k, a := range d.Actions {
				s := d.States[k]
				slope := 1.0
				if !math.IsInf(alpha, 1) {
					slope = 1 - r[s*t.Vocab+a]/(2*alpha)
				}
				grad[s*t.Vocab+a] += slope
				if next := t.Child(s, a); next >= 0 {
					addPolicy(next, slope)
				}
			}
		}
		for j := range grad {
			grad[j] = -grad[j] / float64(len(demos)) // Adam minimises.
		}
		opt.step(q, grad)
	}
	return q
}
