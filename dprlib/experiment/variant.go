package experiment

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"

	"github.com/dprkit/dprkit/dprlib/dpr"
	"github.com/dprkit/dprkit/dprlib/eval"
	"github.com/dprkit/dprkit/dprlib/internal/jsonfile"
	"github.com/dprkit/dprkit/dprlib/policy"
	"github.com/dprkit/dprkit/dprlib/selfplay"
	"github.com/dprkit/dprkit/dprlib/sft"
	"github.com/dprkit/dprkit/dprlib/tokenizer"
)

// Method names how a variant improves π_SFT.
type Method string

// Methods of a variant.
const (
	// MethodSFT trains nothing: the variant is π_SFT itself.
	MethodSFT Method = "sft"
	// MethodDPR is Dense-Path REINFORCE with the variant's DPR config.
	MethodDPR Method = "dpr"
	// MethodContinuedSFT keeps training π_SFT on the demonstrations with the
	// same number of updates, sequences per update and optimiser as DPR.
	MethodContinuedSFT Method = "continued-sft"
	// MethodSPIN and MethodGSIL are the self-play baselines, at DPR's
	// compute: the same updates, prompts per update and samples per prompt.
	MethodSPIN Method = "spin"
	MethodGSIL Method = "gsil"
)

// Variant is one way of improving π_SFT, run on top of an SFT run.
type Variant struct {
	Method Method `json:"method"`
	// DPR configures MethodDPR. Its Steps, PromptsPerStep, SamplesPerPrompt
	// and Adam also size the continued-SFT and self-play controls.
	DPR dpr.Config `json:"dpr"`
	// RefFraction picks π_ref for MethodDPR: the SFT checkpoint after this
	// share of the data, 0 being the untrained model.
	RefFraction float64 `json:"ref_fraction"`
	// SelfPlay records the configuration of MethodSPIN and MethodGSIL. It is
	// derived from DPR (selfplay.FromDPR), so that the baselines get the
	// same updates, batch, sampling and optimiser.
	SelfPlay selfplay.Config `json:"self_play"`
}

// Outcome holds what the ablations read of a finished variant: its scores on
// held-out prompts and on prompts it trained on, and its training log.
type Outcome struct {
	Variant Variant `json:"variant"`
	Seed    uint64  `json:"seed"`
	// HeldOut scores the task's held-out prompts; Train scores as many
	// training prompts (a fixed subset), the prompts DPR sampled from.
	HeldOut Scores `json:"held_out"`
	Train   Scores `json:"train"`
	// DPR is the training log of a DPR variant, nil for the others.
	DPR *dpr.Result `json:"dpr,omitempty"`
	// SelfPlay is the training log of a SPIN or GSIL variant.
	SelfPlay *selfplay.Result `json:"self_play,omitempty"`
	// Seconds is the wall time of training and evaluation.
	Seconds float64 `json:"seconds"`
	Dir     string  `json:"dir"`
	Reused  bool    `json:"-"`
}

// Scores summarises one evaluation.
type Scores struct {
	Count      int     `json:"count"`
	ExactMatch float64 `json:"exact_match"`
	// EditDistance is the mean token-level Levenshtein distance.
	EditDistance float64 `json:"edit_distance"`
	// Length is the mean response length in tokens, EOS excluded.
	Length  float64 `json:"length"`
	EOSRate float64 `json:"eos_rate"`
}

func scoresOf(r eval.Result) Scores {
	s := Scores{Count: r.Count, ExactMatch: r.ExactMatch, EditDistance: r.MeanEditDistance, EOSRate: r.EOSRate}
	for _, p := range r.Predictions {
		s.Length += float64(len(p.Response))
	}
	if len(r.Predictions) > 0 {
		s.Length /= float64(len(r.Predictions))
	}
	return s
}

// OutcomeName is the file that records a finished variant in its folder.
const OutcomeName = "outcome.json"

// normalise fills in what a method shares with DPR, so that two variants
// that run the same computation hash the same.
func (v Variant) normalise() (Variant, error) {
	switch v.Method {
	case MethodSFT:
		return Variant{Method: MethodSFT}, nil
	case MethodDPR:
		v.SelfPlay = selfplay.Config{}
	case MethodContinuedSFT:
		v.SelfPlay, v.RefFraction = selfplay.Config{}, 0
	case MethodSPIN, MethodGSIL:
		// The baseline takes DPR's updates, batch, sampling and optimiser.
		sp := selfplay.FromDPR(selfplay.Method(v.Method), v.DPR)
		sp.EvalEvery = 0
		v.SelfPlay, v.RefFraction = sp, 0
		if err := sp.Validate(); err != nil {
			return v, err
		}
	default:
		return v, fmt.Errorf("variant method %q is unknown: use %q, %q, %q, %q or %q", v.Method,
			MethodSFT, MethodDPR, MethodContinuedSFT, MethodSPIN, MethodGSIL)
	}
	// Ablation runs are scored once, at the end.
	v.DPR.EvalEvery = 0
	return v, v.DPR.Validate()
}

// Variant trains v from the SFT run s, evaluates it on held-out and on
// training prompts, and stores the outcome in a folder under s.Dir named by
// the hash of v and the evaluation settings. A finished folder is loaded
// instead of recomputed.
func (pl *Pipeline) Variant(ctx context.Context, s *SFTRun, v Variant) (*Outcome, error) {
	v, err := v.normalise()
	if err != nil {
		return nil, err
	}
	v.DPR.Seed, v.SelfPlay.Seed = s.Seed, s.Seed
	key, err := jsonfile.Hash(struct {
		Variant   Variant
		EvalCount int
		Decoding  eval.Options
	}{v, pl.Profile.EvalCount, pl.Profile.Decoding})
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(s.Dir, string(v.Method)+"-"+key[:12])
	var out Outcome
	err = jsonfile.Read(filepath.Join(dir, OutcomeName), &out)
	if err == nil {
		out.Reused = true
		return &out, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		if pl.StoredOnly {
			return nil, damagedStage(dir, err)
		}
		pl.log().Warn("variant has a damaged outcome; computing it again", "dir", dir, "err", err)
	}
	if pl.StoredOnly && v.Method != MethodSFT {
		return nil, pl.notStored(string(v.Method)+" run", dir)
	}
	if err := clearStage(dir); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create variant folder: %w", err)
	}
	pl.log().Info("variant", "method", v.Method, "seed", s.Seed, "dir", dir)
	out = Outcome{Variant: v, Seed: s.Seed, Dir: dir}
	model, err := pl.trainVariant(ctx, s, v, dir, &out)
	if err != nil {
		return nil, err
	}
	held, err := pl.evaluator.Evaluate(ctx, model, pl.Task.Eval, pl.Profile.Decoding)
	if err != nil {
		return nil, err
	}
	train, err := pl.evaluator.Evaluate(ctx, model, pl.trainSubset(), pl.Profile.Decoding)
	if err != nil {
		return nil, err
	}
	out.HeldOut, out.Train = scoresOf(held), scoresOf(train)
	if out.DPR != nil {
		out.Seconds += out.DPR.Seconds
	}
	if out.SelfPlay != nil {
		out.Seconds += out.SelfPlay.Seconds
	}
	out.Seconds += held.Seconds + train.Seconds
	// The outcome is written last, so its presence marks a finished variant.
	if err := jsonfile.Write(filepath.Join(dir, OutcomeName), out); err != nil {
		return nil, err
	}
	return &out, nil
}

// trainSubset returns a fixed subset of the training prompts, as many as
// the held-out ones scored.
func (pl *Pipeline) trainSubset() []eval.Item {
	n := min(len(pl.Task.Train), len(pl.Task.Eval))
	return sampleItems(pl.Task.Train, n, evalSampleSeed+1)
}

func (pl *Pipeline) trainVariant(ctx context.Context, s *SFTRun, v Variant, dir string, out *Outcome) (
	*policy.Model, error) {
	meta, err := pl.metadata(s.Seed)
	if err != nil {
		return nil, err
	}
	switch v.Method {
	case MethodSFT:
		return s.Model, nil
	case MethodDPR:
		ref, err := s.Checkpoint(v.RefFraction)
		if err != nil {
			return nil, damagedStage(s.Dir, err)
		}
		run := dpr.Run{
			Backend: pl.Backend, SFT: s.Model, Ref: ref, Prompts: pl.Task.Prompts,
			EOS: tokenizer.EOSID, Pad: tokenizer.PadID, Dir: dir, Meta: meta, Progress: pl.Progress,
			Verifier: pl.Task.Verifier(),
		}
		m, res, err := dpr.Train(ctx, run, v.DPR)
		out.DPR = res
		return m, err
	case MethodContinuedSFT:
		return pl.continueSFT(ctx, s, v.DPR, dir, meta)
	case MethodSPIN, MethodGSIL:
		run := selfplay.Run{
			Backend: pl.Backend, SFT: s.Model, Demos: pl.Task.Demos,
			EOS: tokenizer.EOSID, Pad: tokenizer.PadID, Dir: dir, Meta: meta, Progress: pl.Progress,
		}
		m, res, err := selfplay.Train(ctx, run, v.SelfPlay)
		out.SelfPlay = res
		return m, err
	}
	return nil, fmt.Errorf("variant method %q is unknown", v.Method)
}

// continueSFT trains a copy of π_SFT on the demonstrations for as many
// updates as DPR makes, each on as many sequences as a DPR update samples,
// with DPR's optimiser and a constant learning rate.
func (pl *Pipeline) continueSFT(ctx context.Context, s *SFTRun, d dpr.Config, dir string, meta policy.Metadata) (
	*policy.Model, error) {
	m, err := s.Model.Clone()
	if err != nil {
		return nil, err
	}
	batch := d.PromptsPerStep * d.SamplesPerPrompt
	n := len(pl.Task.Demos)
	epochs := float64(d.Steps*batch) / float64(n)
	// Train runs ceil(ceil(epochs·n)/batch) updates; keep rounding from
	// adding one.
	for math.Ceil(epochs*float64(n)) > float64(d.Steps*batch) {
		epochs = math.Nextafter(epochs, 0)
	}
	cfg := sft.Config{
		BatchSize: batch, Epochs: epochs, Adam: d.Adam, Schedule: "constant", MinLRRatio: 1,
		Fractions: []float64{1}, LogEvery: max(1, d.Steps/20), Seed: s.Seed,
	}
	res, err := sft.Train(ctx, pl.Backend, m, pl.Task.Demos, cfg, dir, meta, pl.Progress)
	if err != nil {
		return nil, err
	}
	if res.Steps != d.Steps {
		return nil, fmt.Errorf("continued SFT ran %d updates, want %d as DPR", res.Steps, d.Steps)
	}
	return m, nil
}
