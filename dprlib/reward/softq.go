package reward

import "github.com/dprkit/dprkit/dprlib/policy"

// SoftQ holds the token-MDP view of one response under one policy: for
// response step t (state s_t, action y_t), Q[t] = z(s_t, y_t) is the logit of
// the chosen token, V[t] = logsumexp_a z(s_t, a) the soft value, and
// LogProb[t] = Q[t] − V[t]. The state after the last token (EOS) is terminal,
// V = 0.
type SoftQ struct {
	Q, V, LogProb []float64
}

// SoftQFromTerms extracts the response part of teacher-forced terms for each
// sequence.
func SoftQFromTerms(seqs []policy.Sequence, terms policy.TokenTerms) []SoftQ {
	q := policy.ResponseValues(seqs, terms.Steps, terms.Q)
	v := policy.ResponseValues(seqs, terms.Steps, terms.Value)
	lp := policy.ResponseValues(seqs, terms.Steps, terms.LogProb)
	out := make([]SoftQ, len(seqs))
	for i := range seqs {
		out[i] = SoftQ{Q: widen(q[i]), V: widen(v[i]), LogProb: widen(lp[i])}
	}
	return out
}

func widen(x []float32) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = float64(v)
	}
	return out
}

// nextValue returns V(s_{t+1}), with V = 0 after the final token.
func (s SoftQ) nextValue(t int) float64 {
	if t+1 < len(s.V) {
		return s.V[t+1]
	}
	return 0
}

// Recovered returns the reward recovered by the inverse soft Bellman
// operator, r(s_t, y_t) = Q(s_t, y_t) − γ·V(s_{t+1}).
func (s SoftQ) Recovered(gamma float64) []float64 {
	out := make([]float64, len(s.Q))
	for t := range s.Q {
		out[t] = s.Q[t] - gamma*s.nextValue(t)
	}
	return out
}

// IQLearnObjective returns the reduced IQ-Learn objective with the linear
// regulariser φ(x) = x for one demonstration:
//
//	J(Q) = Σ_t [Q(s_t, y_t) − γ·V(s_{t+1})] − V(s_1)
//
// At γ = 1 the value terms telescope and J equals Σ_t log π(y_t|s_t), the
// negative SFT loss, for any Q.
func (s SoftQ) IQLearnObjective(gamma float64) float64 {
	j := -s.V[0]
	for _, r := range s.Recovered(gamma) {
		j += r
	}
	return j
}

// LogLikelihood returns Σ_t log π(y_t|s_t).
func (s SoftQ) LogLikelihood() float64 {
	sum := 0.0
	for _, lp := range s.LogProb {
		sum += lp
	}
	return sum
}
