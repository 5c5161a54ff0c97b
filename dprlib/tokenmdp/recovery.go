package tokenmdp

import "math"

// RecoveryError measures how far a recovered reward r is from the true r*
// over the complete sequences seqs, weighted by the expert's sequence
// probabilities weights (which sum to 1 per prompt).
//
// A potential-based shaping Φ(s') − Φ(s) with Φ = 0 at terminal states adds
// −Φ(root) to the return of every response of a prompt, and nothing else to
// returns. So the part of the return error D(y) = Σ_t (r − r*)(s_t, y_t)
// that no shaping can remove is its spread within each prompt: Shaped is
// the weighted standard deviation of D, and Unshaped its weighted root mean
// square before the best constant is removed. Both are in nats, averaged
// over prompts, and Shaped ≤ Unshaped.
func (t *Tree) RecoveryError(r, rStar []float64, seqs []Sequence, weights []float64) (
	shaped, unshaped float64) {
	type moments struct{ w, d, d2 float64 }
	byPrompt := make([]moments, t.Prompts)
	for i, y := range seqs {
		w := weights[i]
		m := &byPrompt[y.Prompt]
		diff := 0.0
		for k, a := range y.Actions {
			diff += r[y.States[k]*t.Vocab+a] - rStar[y.States[k]*t.Vocab+a]
		}
		m.w += w
		m.d += w * diff
		m.d2 += w * diff * diff
	}
	for _, m := range byPrompt {
		mean := m.d / m.w
		shaped += math.Sqrt(math.Max(m.d2/m.w-mean*mean, 0))
		unshaped += math.Sqrt(m.d2 / m.w)
	}
	return shaped / float64(t.Prompts), unshaped / float64(t.Prompts)
}
