package policy

import (
	"fmt"

	"github.com/gomlx/compute"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
)

// TokenTerms are teacher-forced quantities of the token MDP for a Batch, each
// flat [Rows, Length−1]: entry (r, t) belongs to the transition from state
// s = tokens[r, ≤t] with action a = tokens[r, t+1].
type TokenTerms struct {
	// LogProb is log π(a|s).
	LogProb []float32
	// Q is the logit z(s, a), read as the soft Q-value.
	Q []float32
	// Value is the soft value V(s) = logsumexp_a z(s, a).
	Value []float32
	// Rows and Steps give the layout: Steps = Length − 1.
	Rows, Steps int
}

// Scorer evaluates teacher-forced log-probabilities. One Scorer serves every
// model of the same Config, so the policy, π_SFT and π_ref share a compiled
// graph per batch shape.
type Scorer struct {
	cfg     Config
	backend compute.Backend
	exec    *Exec
	// logitsExec returns the full next-token logits; it is built on first use.
	logitsExec *Exec
	// manyExec scores several models in one graph, keyed by their number.
	manyExec map[int]*Exec
}

// NewScorer compiles (lazily, per batch shape) the scoring graph for cfg.
func NewScorer(backend compute.Backend, cfg Config) (*Scorer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	numParams := len(cfg.ParamShapes())
	exec, err := NewExec(backend, func(inputs []*Node) []*Node {
		w := unpackWeights(cfg, inputs[:numParams])
		logProb, q, value := w.tokenTerms(inputs[numParams])
		return []*Node{logProb, q, value}
	})
	if err != nil {
		return nil, fmt.Errorf("build scoring graph: %w", err)
	}
	return &Scorer{cfg: cfg, backend: backend, exec: exec.WithName("score")}, nil
}

// Terms returns log π, Q and V of model m at every position of b.
func (s *Scorer) Terms(m *Model, b Batch) (TokenTerms, error) {
	if m.Config != s.cfg {
		return TokenTerms{}, fmt.Errorf("model config %+v does not match the scorer's %+v", m.Config, s.cfg)
	}
	if err := b.check(s.cfg); err != nil {
		return TokenTerms{}, err
	}
	args := append(m.paramArgs(), b.tensor())
	out, err := s.exec.Call(args...)
	if err != nil {
		return TokenTerms{}, fmt.Errorf("score batch: %w", err)
	}
	terms := TokenTerms{Rows: b.Rows, Steps: b.Length - 1}
	terms.LogProb = tensors.MustCopyFlatData[float32](out[0])
	terms.Q = tensors.MustCopyFlatData[float32](out[1])
	terms.Value = tensors.MustCopyFlatData[float32](out[2])
	for _, t := range out {
		t.MustFinalizeAll()
	}
	return terms, nil
}

// LogProbs returns only log π(a|s) at every position of b, flat [Rows, Length−1].
func (s *Scorer) LogProbs(m *Model, b Batch) ([]float32, error) {
	terms, err := s.Terms(m, b)
	return terms.LogProb, err
}

// Logits returns the full next-token logits z(s, ·) of model m at every
// position of b, flat [Rows, Length, VocabSize]: entry (r, t, a) is the logit
// of token a after tokens[r, ≤t].
func (s *Scorer) Logits(m *Model, b Batch) ([]float32, error) {
	if m.Config != s.cfg {
		return nil, fmt.Errorf("model config %+v does not match the scorer's %+v", m.Config, s.cfg)
	}
	if err := b.check(s.cfg); err != nil {
		return nil, err
	}
	if s.logitsExec == nil {
		cfg := s.cfg
		numParams := len(cfg.ParamShapes())
		exec, err := NewExec(s.backend, func(inputs []*Node) *Node {
			return unpackWeights(cfg, inputs[:numParams]).logits(inputs[numParams])
		})
		if err != nil {
			return nil, fmt.Errorf("build logits graph: %w", err)
		}
		s.logitsExec = exec.WithName("logits")
	}
	out, err := s.logitsExec.Call1(append(m.paramArgs(), b.tensor())...)
	if err != nil {
		return nil, fmt.Errorf("compute logits: %w", err)
	}
	defer out.MustFinalizeAll()
	return tensors.MustCopyFlatData[float32](out), nil
}

// LogProbsOf returns log π(a|s) under each of models at every position of b,
// each flat [Rows, Length−1], from one graph that runs all the forward
// passes: DPR scores π_SFT and π_ref, and a benchmark also π_θ, this way.
func (s *Scorer) LogProbsOf(models []*Model, b Batch) ([][]float32, error) {
	for i, m := range models {
		if m.Config != s.cfg {
			return nil, fmt.Errorf("model %d config %+v does not match the scorer's %+v", i, m.Config, s.cfg)
		}
	}
	if err := b.check(s.cfg); err != nil {
		return nil, err
	}
	k := len(models)
	if s.manyExec == nil {
		s.manyExec = map[int]*Exec{}
	}
	exec := s.manyExec[k]
	if exec == nil {
		cfg := s.cfg
		n := len(cfg.ParamShapes())
		var err error
		exec, err = NewExec(s.backend, func(inputs []*Node) []*Node {
			tokens := inputs[k*n]
			out := make([]*Node, k)
			for i := range k {
				out[i], _, _ = unpackWeights(cfg, inputs[i*n:(i+1)*n]).tokenTerms(tokens)
			}
			return out
		})
		if err != nil {
			return nil, fmt.Errorf("build scoring graph for %d models: %w", k, err)
		}
		exec = exec.WithName(fmt.Sprintf("score_%d_models", k))
		s.manyExec[k] = exec
	}
	var args []any
	for _, m := range models {
		args = append(args, m.paramArgs()...)
	}
	out, err := exec.Call(append(args, b.tensor())...)
	if err != nil {
		return nil, fmt.Errorf("score batch under %d models: %w", k, err)
	}
	result := make([][]float32, k)
	for i, t := range out {
		result[i] = tensors.MustCopyFlatData[float32](t)
		t.MustFinalizeAll()
	}
	return result, nil
}
