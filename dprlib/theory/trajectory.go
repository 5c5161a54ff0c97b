package theory

import (
	"math"

	"github.com/dprkit/dprkit/dprlib/policy"
	"github.com/dprkit/dprkit/dprlib/tokenmdp"
)

// Trajectory is one response with the full logits of the policy at each of
// its states: Logits[t] = z(s_t, ·), and Actions[t] = y_t. The state after
// the last action is terminal, with V = 0.
type Trajectory struct {
	Logits  [][]float64
	Actions []int
}

// steps returns Q(s_t, y_t), V(s_t) and log π(y_t|s_t) for every t.
func (tr Trajectory) steps() (q, v, logPi []float64) {
	n := len(tr.Actions)
	q, v, logPi = make([]float64, n), make([]float64, n), make([]float64, n)
	for t, a := range tr.Actions {
		q[t] = tr.Logits[t][a]
		v[t] = logSumExp(tr.Logits[t])
		logPi[t] = q[t] - v[t]
	}
	return q, v, logPi
}

// nextValue returns V(s_{t+1}), 0 after the last action.
func nextValue(v []float64, t int) float64 {
	if t+1 < len(v) {
		return v[t+1]
	}
	return 0
}

// TreeTrajectories reads the tabular logits q along each sequence.
func TreeTrajectories(tree *tokenmdp.Tree, q []float64, seqs []tokenmdp.Sequence) []Trajectory {
	out := make([]Trajectory, len(seqs))
	for i, y := range seqs {
		tr := Trajectory{Actions: append([]int(nil), y.Actions...)}
		for _, s := range y.States {
			tr.Logits = append(tr.Logits, q[s*tree.Vocab:(s+1)*tree.Vocab])
		}
		out[i] = tr
	}
	return out
}

// ModelTrajectories computes the full logits of m along the response of
// each sequence, in batches of batchSize.
func ModelTrajectories(scorer *policy.Scorer, m *policy.Model, seqs []policy.Sequence, batchSize int) (
	[]Trajectory, error) {
	vocab := m.Config.VocabSize
	var out []Trajectory
	for lo := 0; lo < len(seqs); lo += batchSize {
		part := seqs[lo:min(lo+batchSize, len(seqs))]
		batch, _, err := policy.SequenceBatch(part, m.Config.Context, 0)
		if err != nil {
			return nil, err
		}
		logits, err := scorer.Logits(m, batch)
		if err != nil {
			return nil, err
		}
		for r, s := range part {
			tr := Trajectory{}
			// Position p predicts token p+1; the response starts at PromptLen.
			for p := s.PromptLen - 1; p < len(s.Tokens)-1; p++ {
				row := logits[(r*batch.Length+p)*vocab : (r*batch.Length+p+1)*vocab]
				z := make([]float64, vocab)
				for a, x := range row {
					z[a] = float64(x)
				}
				tr.Logits = append(tr.Logits, z)
				tr.Actions = append(tr.Actions, int(s.Tokens[p+1]))
			}
			out = append(out, tr)
		}
	}
	return out, nil
}

func logSumExp(x []float64) float64 {
	m := math.Inf(-1)
	for _, xi := range x {
		m = math.Max(m, xi)
	}
	sum := 0.0
	for _, xi := range x {
		sum += math.Exp(xi - m)
	}
	return m + math.Log(sum)
}
