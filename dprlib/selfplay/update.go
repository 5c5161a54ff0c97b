package selfplay

import (
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/dprkit/dprkit/dprlib/policy"
)

// errNoPairs is returned for a step without a demonstration or a sample.
var errNoPairs = errors.New("the step has no demonstration–sample pair")

// updater applies SPIN or GSIL updates to trainer.Model (π_θ) against the
// current opponent.
type updater struct {
	cfg     Config
	trainer *policy.Trainer
	scorer  *policy.Scorer
	sampler *policy.Sampler
	opts    policy.SampleOptions
	rng     *rand.Rand
	pad     int32
	// opponent is π_opp; it starts as π_SFT and is never trained.
	opponent *policy.Model
	// opponentStep is the step at which opponent was copied from π_θ.
	opponentStep int
}

// step samples responses from π_opp for the prompts of demos and applies
// one update on demonstrations and samples together.
func (u *updater) step(demos []policy.Sequence) (StepLog, error) {
	samples, err := u.sample(demos)
	if err != nil {
		return StepLog{}, err
	}
	return u.update(demos, samples)
}

// refresh makes π_opp a copy of π_θ after the update of step.
func (u *updater) refresh(step int) error {
	opponent, err := u.trainer.Model.Clone()
	if err != nil {
		return err
	}
	u.opponent, u.opponentStep = opponent, step
	return nil
}

// sample draws SamplesPerPrompt responses from π_opp for each demonstration's
// prompt; samples[i] belong to demos[i].
func (u *updater) sample(demos []policy.Sequence) ([][]policy.Sequence, error) {
	k := u.cfg.SamplesPerPrompt
	prompts := make([][]int32, 0, len(demos)*k)
	for _, d := range demos {
		for range k {
			prompts = append(prompts, d.Prompt())
		}
	}
	responses, _, err := u.sampler.Generate(u.opponent, prompts, u.opts, u.rng)
	if err != nil {
		return nil, fmt.Errorf("sample from the opponent: %w", err)
	}
	samples := make([][]policy.Sequence, len(demos))
	for i := range demos {
		samples[i] = make([]policy.Sequence, k)
		for j := range k {
			p := prompts[i*k+j]
			tokens := append(append(make([]int32, 0, len(p)+len(responses[i*k+j])), p...), responses[i*k+j]...)
			samples[i][j] = policy.Sequence{Tokens: tokens, PromptLen: len(p)}
		}
	}
	return samples, nil
}

// scored holds one step's sequences in a single batch, demonstrations first,
// then the samples of each demonstration in turn, with their sequence
// log-probabilities under π_θ.
type scored struct {
	seqs  []policy.Sequence
	batch policy.Batch
	// logProb is log π_θ(y|x) of each row, summed over response tokens.
	logProb []float64
	// demoDelta[i] is Δ(y_w) of demonstration i; sampleDelta[i][j] is Δ(y_l)
	// of its sample j.
	demoDelta   []float64
	sampleDelta [][]float64
}

// score computes log π_θ and log π_opp of every demonstration and sample in
// one forward pass per model.
func (u *updater) score(demos []policy.Sequence, samples [][]policy.Sequence) (scored, error) {
	if len(demos) == 0 || len(samples) != len(demos) {
		return scored{}, fmt.Errorf("%w: %d demonstrations but sample sets for %d",
			errNoPairs, len(demos), len(samples))
	}
	s := scored{seqs: append([]policy.Sequence(nil), demos...)}
	for i, row := range samples {
		if len(row) == 0 {
			return scored{}, fmt.Errorf("%w: demonstration %d has no samples", errNoPairs, i)
		}
		s.seqs = append(s.seqs, row...)
	}

	theta := u.trainer.Model
	var err error
	if s.batch, _, err = policy.SequenceBatch(s.seqs, theta.Config.Context, u.pad); err != nil {
		return scored{}, err
	}
	both, err := u.scorer.LogProbsOf([]*policy.Model{theta, u.opponent}, s.batch)
	if err != nil {
		return scored{}, fmt.Errorf("score under π_θ and π_opp: %w", err)
	}

	steps := s.batch.Length - 1
	thetaLP := sequenceSums(policy.ResponseValues(s.seqs, steps, both[0]))
	opponentLP := sequenceSums(policy.ResponseValues(s.seqs, steps, both[1]))
	s.logProb = thetaLP

	delta := make([]float64, len(s.seqs))
	for r := range delta {
		delta[r] = thetaLP[r] - opponentLP[r]
	}
	s.demoDelta = delta[:len(demos)]
	next := len(demos)
	for _, row := range samples {
		s.sampleDelta = append(s.sampleDelta, delta[next:next+len(row)])
		next += len(row)
	}
	return s, nil
}

// update scores the step's sequences, computes the exact loss weights and
// applies one Adam step on the weighted log-likelihood.
func (u *updater) update(demos []policy.Sequence, samples [][]policy.Sequence) (StepLog, error) {
	s, err := u.score(demos, samples)
	if err != nil {
		return StepLog{}, err
	}
	loss, demoWeight, sampleWeight := objective(u.cfg.Method, u.cfg.Beta, s.demoDelta, s.sampleDelta)
	perRow := append([]float64(nil), demoWeight...)
	for _, row := range sampleWeight {
		perRow = append(perRow, row...)
	}
	out, err := u.trainer.Step(s.batch, tokenWeights(s.seqs, s.batch.Length-1, perRow))
	if err != nil {
		return StepLog{}, err
	}

	log := StepLog{Loss: loss, GradNorm: out.GradNorm, Opponent: u.opponentStep}
	pairs, wins, tokens := 0, 0, 0
	for i, d := range s.demoDelta {
		log.DemoLogRatio += d / float64(len(s.demoDelta))
		for j, l := range s.sampleDelta[i] {
			log.SampleLogRatio += l
			pairs++
			if d > l {
				wins++
			}
			tokens += len(samples[i][j].Response())
		}
	}
	log.SampleLogRatio /= float64(pairs)
	log.RewardAccuracy = float64(wins) / float64(pairs)
	log.Length = float64(tokens) / float64(pairs)
	return log, nil
}

// tokenWeights spreads one weight per sequence over every response
// transition of its row, as Trainer.Step expects: flat [rows, steps], 0 on
// prompt and padding positions.
func tokenWeights(seqs []policy.Sequence, steps int, perRow []float64) []float32 {
	weights := make([]float32, len(seqs)*steps)
	for r, s := range seqs {
		// Transition t predicts token t+1, a response token iff t+1 ≥ PromptLen.
		for t := s.PromptLen - 1; t < len(s.Tokens)-1; t++ {
			weights[r*steps+t] = float32(perRow[r])
		}
	}
	return weights
}

// sequenceSums adds up each row's per-token values in float64.
func sequenceSums(rows [][]float32) []float64 {
	out := make([]float64, len(rows))
	for r, row := range rows {
		for _, v := range row {
			out[r] += float64(v)
		}
	}
	return out
}
