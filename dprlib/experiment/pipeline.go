package experiment

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/dprkit/dprkit/dprlib/device"
	"github.com/dprkit/dprkit/dprlib/dpr"
	"github.com/dprkit/dprkit/dprlib/eval"
	"github.com/dprkit/dprkit/dprlib/internal/jsonfile"
	"github.com/dprkit/dprkit/dprlib/policy"
	"github.com/dprkit/dprkit/dprlib/progress"
	"github.com/dprkit/dprkit/dprlib/sft"
	"github.com/dprkit/dprkit/dprlib/tokenizer"
	"github.com/gomlx/compute"
)

// Pipeline runs the stages of a profile for one seed at a time, storing each
// stage under WorkDir in a folder named by the hash of its configuration. A
// stage whose folder holds a finished log is loaded instead of recomputed.
type Pipeline struct {
	Profile Profile
	Task    *Task
	WorkDir string
	Backend compute.Backend
	// Progress shows training loops; nil shows nothing.
	Progress progress.Reporter
	// Logger reports stages; nil discards.
	Logger *slog.Logger
	// StoredOnly makes a stage that is not in the run store an error
	// instead of training it, for redrawing figures from stored runs.
	StoredOnly bool

	evaluator *eval.Evaluator
}

// ErrNotStored reports a stage that StoredOnly forbids training.
var ErrNotStored = errors.New("not in the run store")

func (pl *Pipeline) notStored(stage, dir string) error {
	return fmt.Errorf("%s %s: %w; run \"dpr reproduce --profile %s\" (or dpr experiments) to compute it",
		stage, dir, ErrNotStored, pl.Profile.Name)
}

// NewPipeline loads the profile's split and prepares the backend.
func NewPipeline(p Profile, dataDir, workDir string) (*Pipeline, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if workDir == "" {
		return nil, fmt.Errorf("the pipeline needs a work directory for checkpoints and logs")
	}
	backend, err := device.Backend()
	if err != nil {
		return nil, err
	}
	task, err := LoadTask(dataDir, p.Split, p.EvalCount)
	if err != nil {
		return nil, err
	}
	p.Model.VocabSize = task.Tokenizer.VocabSize()
	if err := p.Model.Validate(); err != nil {
		return nil, fmt.Errorf("profile %q model: %w", p.Name, err)
	}
	if n := task.LongestDemo(); n > p.Model.Context {
		return nil, fmt.Errorf("split %q has a demonstration of %d tokens, more than the context %d",
			p.Split, n, p.Model.Context)
	}
	// A response may use what the longest prompt leaves of the context.
	room := p.Model.Context - task.LongestPrompt()
	if room < 2 {
		return nil, fmt.Errorf("task %q has a prompt of %d tokens, leaving no room for a response in the context %d",
			p.Split, task.LongestPrompt(), p.Model.Context)
	}
	p.DPR.MaxNewTokens = min(p.DPR.MaxNewTokens, room)
	p.AblationDPR.MaxNewTokens = min(p.AblationDPR.MaxNewTokens, room)
	p.Decoding.MaxNewTokens = min(p.Decoding.MaxNewTokens, room)
	sampler, err := policy.NewSampler(backend, p.Model)
	if err != nil {
		return nil, err
	}
	return &Pipeline{
		Profile: p, Task: task, WorkDir: workDir, Backend: backend,
		Logger:    slog.New(slog.DiscardHandler),
		evaluator: &eval.Evaluator{Sampler: sampler, Tokenizer: task.Tokenizer},
	}, nil
}

func (pl *Pipeline) log() *slog.Logger {
	if pl.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return pl.Logger
}

// SFTRun is a finished SFT stage.
type SFTRun struct {
	Seed   uint64
	Dir    string
	Result *sft.Result
	// Model is π_SFT, the final checkpoint.
	Model *policy.Model
	// Reused reports that the stage was loaded from an earlier run.
	Reused bool
}

// Checkpoint loads the checkpoint saved at fraction f (0 is the untrained
// model).
func (r *SFTRun) Checkpoint(f float64) (*policy.Model, error) {
	m, _, err := policy.LoadCheckpoint(sft.CheckpointPath(r.Dir, f))
	return m, err
}

func (pl *Pipeline) metadata(seed uint64) (policy.Metadata, error) {
	meta := policy.Metadata{Seed: seed, Task: pl.Profile.Split}
	var err error
	meta.Tokenizer, err = json.Marshal(pl.Task.Tokenizer)
	return meta, err
}

// SFT trains the profile's model with seed, or loads the finished run.
func (pl *Pipeline) SFT(ctx context.Context, seed uint64) (*SFTRun, error) {
	p := pl.Profile
	cfg := p.SFT
	cfg.Seed = seed
	key, err := jsonfile.Hash(struct {
		Split string
		Model policy.Config
		SFT   sft.Config
	}{p.Split, p.Model, cfg})
	if err != nil {
		return nil, err
	}
	// Runs live under <work>/<task>/seed-<n>/, so every command that shares
	// a work directory also shares its SFT runs.
	run := &SFTRun{Seed: seed, Dir: filepath.Join(pl.WorkDir, p.Split, fmt.Sprintf("seed-%d", seed), "sft-"+key[:12])}
	res, err := sft.ReadLog(run.Dir)
	switch {
	case err == nil:
		pl.log().Info("reusing SFT run", "seed", seed, "dir", run.Dir)
		run.Result, run.Reused = res, true
	case !errors.Is(err, fs.ErrNotExist):
		// A log that exists but does not parse is damage, not an unfinished
		// run: clearing the folder would delete every variant stored in it.
		return nil, damagedStage(run.Dir, err)
	case pl.StoredOnly:
		return nil, pl.notStored("SFT run", run.Dir)
	default:
		// A folder without a log is a run that stopped part-way. Variants are
		// only written after the log, so one inside means the log was lost.
		if hasSubfolder(run.Dir) {
			return nil, damagedStage(run.Dir, err)
		}
		if err := clearStage(run.Dir); err != nil {
			return nil, err
		}
		pl.log().Info("SFT", "seed", seed, "examples", len(pl.Task.Demos), "dir", run.Dir)
		model, err := policy.New(p.Model, seed)
		if err != nil {
			return nil, err
		}
		meta, err := pl.metadata(seed)
		if err != nil {
			return nil, err
		}
		run.Result, err = sft.Train(ctx, pl.Backend, model, pl.Task.Demos, cfg, run.Dir, meta, pl.Progress)
		if err != nil {
			return nil, err
		}
	}
	if run.Model, err = run.Checkpoint(1); err != nil {
		return nil, damagedStage(run.Dir, err)
	}
	return run, nil
}

// hasSubfolder reports whether dir contains a folder.
func hasSubfolder(dir string) bool {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, e := range entries {
		if e.IsDir() {
			return true
		}
	}
	return false
}

// clearStage removes what an unfinished stage left in dir. Stage folders
// are named by the hash of their configuration, so nothing else lives there.
func clearStage(dir string) error {
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("clear unfinished stage %s: %w", dir, err)
	}
	return nil
}

// damagedStage explains a finished stage whose files no longer load.
func damagedStage(dir string, err error) error {
	return fmt.Errorf("stage folder %s is damaged (%w): delete the folder and run again to recompute it",
		dir, err)
}

// Evaluate scores m on the task's held-out commands with the profile's
// decoding. A non-empty reportPath receives the JSON report.
func (pl *Pipeline) Evaluate(ctx context.Context, m *policy.Model, seed uint64, reportPath, checkpoint string) (
	eval.Result, error) {
	p := pl.Profile
	res, err := pl.evaluator.Evaluate(ctx, m, pl.Task.Eval, p.Decoding)
	if err != nil || reportPath == "" {
		return res, err
	}
	err = eval.WriteReport(reportPath, eval.Report{
		Config: p, Seed: seed, Checkpoint: checkpoint, Split: p.Split, Decoding: p.Decoding, Result: res,
	})
	return res, err
}

// DPRRun is a finished DPR stage.
type DPRRun struct {
	Dir    string
	Result *dpr.Result
	// Model is the trained policy π_θ.
	Model  *policy.Model
	Reused bool
}

// DPR improves the SFT run's policy with the profile's DPR config, π_ref
// being the checkpoint at the profile's reference fraction, or loads the
// finished run.
func (pl *Pipeline) DPR(ctx context.Context, s *SFTRun) (*DPRRun, error) {
	p := pl.Profile
	cfg := p.DPR
	cfg.Seed = s.Seed
	key, err := jsonfile.Hash(struct {
		DPR         dpr.Config
		RefFraction float64
		EvalCount   int
		Decoding    eval.Options
	}{cfg, p.RefFraction, p.EvalCount, p.Decoding})
	if err != nil {
		return nil, err
	}
	run := &DPRRun{Dir: filepath.Join(s.Dir, "dpr-"+key[:12])}
	res, err := dpr.ReadLog(run.Dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		if pl.StoredOnly {
			return nil, damagedStage(run.Dir, err)
		}
		pl.log().Warn("DPR run has a damaged log; computing it again", "dir", run.Dir, "err", err)
	}
	if err == nil {
		pl.log().Info("reusing DPR run", "seed", s.Seed, "dir", run.Dir)
		run.Result, run.Reused = res, true
		if run.Model, _, err = policy.LoadCheckpoint(filepath.Join(run.Dir, dpr.FinalCheckpoint)); err != nil {
			return nil, damagedStage(run.Dir, err)
		}
		return run, nil
	}
	if pl.StoredOnly {
		return nil, pl.notStored("DPR run", run.Dir)
	}
	if err := clearStage(run.Dir); err != nil {
		return nil, err
	}
	ref, err := s.Checkpoint(p.RefFraction)
	if err != nil {
		return nil, damagedStage(s.Dir, err)
	}
	meta, err := pl.metadata(s.Seed)
	if err != nil {
		return nil, err
	}
	pl.log().Info("DPR", "seed", s.Seed, "steps", cfg.Steps, "dir", run.Dir)
	train := dpr.Run{
		Backend: pl.Backend, SFT: s.Model, Ref: ref, Prompts: pl.Task.Prompts,
		EOS: tokenizer.EOSID, Pad: tokenizer.PadID, Dir: run.Dir, Meta: meta, Progress: pl.Progress,
		Verifier: pl.Task.Verifier(),
		Eval: func(m *policy.Model) (float64, error) {
			r, err := pl.evaluator.Evaluate(ctx, m, pl.Task.Eval, p.Decoding)
			return r.ExactMatch, err
		},
	}
	if run.Model, run.Result, err = dpr.Train(ctx, train, cfg); err != nil {
		return nil, err
	}
	return run, nil
}
