package experiment

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/dprkit/dprkit/dprlib/device"
	"github.com/dprkit/dprkit/dprlib/inflection"
	"github.com/dprkit/dprkit/dprlib/internal/jsonfile"
	"github.com/dprkit/dprkit/dprlib/progress"
	"github.com/dprkit/dprkit/dprlib/stats"
)

// ExperimentsOptions sets what "dpr experiments" runs and where it writes.
type ExperimentsOptions struct {
	Profile Profile
	// DataDir holds the official data files.
	DataDir string
	// WorkDir is the run store: one folder per seed and task, and inside it
	// one per stage, named by the hash of the stage's configuration.
	WorkDir string
	// OutDir receives the figures, their data and ResultsName.
	OutDir string
	// Tasks overrides the profile's tasks. With none given, inflection
	// tasks whose files are absent are skipped with a warning; a task
	// named here must load.
	Tasks []string
	// Only limits the run to these experiments (see ExperimentNames).
	Only     []string
	Progress progress.Reporter
	// Logger reports stages; nil discards.
	Logger *slog.Logger
	// StoredOnly redraws from the run store and trains nothing: a missing
	// run is an error wrapping ErrNotStored.
	StoredOnly bool
}

// Extra experiment names, beside the ablations.
const (
	CreditAssignment = "credit-assignment"
	RewardGaming     = "reward-gaming"
)

// ExperimentNames lists every experiment "dpr experiments" can run.
func ExperimentNames() []string {
	var names []string
	for _, a := range Quick().Ablations() {
		names = append(names, a.Name)
	}
	return append(names, CreditAssignment, RewardGaming)
}

// ResultsName is the JSON file of all experiment results in the output
// directory.
const ResultsName = "experiments.json"

// Results holds the measurements of RunExperiments.
type Results struct {
	Profile Profile       `json:"profile"`
	Machine Machine       `json:"machine"`
	Tasks   []TaskResults `json:"tasks"`
	// Skipped lists tasks left out, with the reason.
	Skipped []string `json:"skipped,omitempty"`
	Figures []string `json:"figures"`
	// Seconds is the wall time of this call, which only loads stored runs
	// when they exist. ComputeSeconds sums the training and evaluation
	// time recorded by every SFT run and variant the results use.
	Seconds        float64 `json:"seconds"`
	ComputeSeconds float64 `json:"compute_seconds"`
	// Level is the confidence level of every interval.
	Level float64 `json:"level"`
	// Claims holds the verdict on each claim of arXiv 2510.02493, per task.
	Claims []Claim `json:"claims"`
}

// TaskResults holds one task's experiments.
type TaskResults struct {
	Task  string   `json:"task"`
	Seeds []uint64 `json:"seeds"`
	// ComputeSeconds sums the recorded training and evaluation time of the
	// task's SFT runs and distinct variants.
	ComputeSeconds float64 `json:"compute_seconds"`
	// SFT and SFTTrain are π_SFT's exact match on held-out and on training
	// prompts, the reference line of every figure.
	SFT       stats.Interval    `json:"sft_exact_match"`
	SFTTrain  stats.Interval    `json:"sft_train_exact_match"`
	Ablations []AblationResults `json:"ablations"`
	Credit    *CreditResults    `json:"credit_assignment,omitempty"`
	Gaming    []GamingResult    `json:"reward_gaming,omitempty"`
}

// AblationResults holds one ablation on one task.
type AblationResults struct {
	Name     string           `json:"name"`
	Settings []SettingResults `json:"settings"`
}

// SettingResults holds one setting's numbers over seeds. Exact match is a
// share in [0, 1]; every Delta is the setting minus π_SFT, paired by seed.
type SettingResults struct {
	Label      string         `json:"label"`
	ExactMatch stats.Interval `json:"exact_match"`
	Delta      stats.Interval `json:"delta_vs_sft"`
	// TrainExactMatch and TrainDelta score prompts the policy trained on.
	TrainExactMatch *stats.Interval `json:"train_exact_match,omitempty"`
	TrainDelta      *stats.Interval `json:"train_delta_vs_sft,omitempty"`
	// Extra holds the ablation's further measurements.
	Extra map[Measure]stats.Interval `json:"extra,omitempty"`
	// PerSeed keeps the raw numbers the intervals came from.
	PerSeed []SeedOutcome `json:"per_seed"`
}

// SeedOutcome is one seed's raw numbers for a setting.
type SeedOutcome struct {
	Seed            uint64              `json:"seed"`
	ExactMatch      float64             `json:"exact_match"`
	TrainExactMatch float64             `json:"train_exact_match"`
	EditDistance    float64             `json:"edit_distance"`
	Length          float64             `json:"length"`
	Extra           map[Measure]float64 `json:"extra,omitempty"`
	Dir             string              `json:"dir"`
}

// RunExperiments runs every ablation of the profile on each task and seed,
// reusing finished runs of the store, then writes the figures and
// ResultsName into opts.OutDir.
func RunExperiments(ctx context.Context, opts ExperimentsOptions) (*Results, error) {
	start := time.Now()
	p := opts.Profile
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if opts.WorkDir == "" || opts.OutDir == "" {
		return nil, errors.New("experiments need a work directory and an output directory")
	}
	only, err := selectExperiments(opts.Only)
	if err != nil {
		return nil, err
	}
	var ablations []Ablation
	for _, a := range p.Ablations() {
		if only[a.Name] {
			if err := validateAblation(p, a); err != nil {
				return nil, err
			}
			ablations = append(ablations, a)
		}
	}
	for _, dir := range []string{opts.OutDir, opts.WorkDir} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("create output folder %s: %w; give -work and -out folder paths that "+
				"can be created", dir, err)
		}
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	res := &Results{Profile: p, Machine: currentMachine(), Level: stats.DefaultOptions().Level}
	tasks, skipped, err := resolveTasks(p, opts)
	if err != nil {
		return nil, err
	}
	res.Skipped = skipped
	for _, msg := range skipped {
		log.Warn("task skipped", "reason", msg)
	}
	for _, name := range tasks {
		tp := p
		tp.Split = name
		pl, err := NewPipeline(tp, opts.DataDir, opts.WorkDir)
		if err != nil {
			return nil, fmt.Errorf("task %s: %w", name, err)
		}
		pl.Progress, pl.Logger, pl.StoredOnly = opts.Progress, log.With("task", name), opts.StoredOnly
		log.Info("experiments", "task", name, "train", len(pl.Task.Demos), "eval", len(pl.Task.Eval),
			"seeds", len(p.Seeds), "backend", device.Config())
		// The pipeline fits the response caps to the task's prompts, so the
		// variants come from its profile.
		var taskAblations []Ablation
		for _, a := range pl.Profile.Ablations() {
			if only[a.Name] {
				taskAblations = append(taskAblations, a)
			}
		}
		tr, err := pl.runTask(ctx, taskAblations, only)
		if err != nil {
			return nil, fmt.Errorf("task %s: %w", name, err)
		}
		res.Tasks = append(res.Tasks, *tr)
		res.ComputeSeconds += tr.ComputeSeconds
	}
	if len(res.Tasks) == 0 {
		return nil, errors.New("no task could run: see the skipped tasks above")
	}
	res.Claims = Claims(res)
	if res.Figures, err = writeExperimentFigures(opts.OutDir, res, ablations, only); err != nil {
		return nil, err
	}
	res.Seconds = time.Since(start).Seconds()
	if err := jsonfile.Write(filepath.Join(opts.OutDir, ResultsName), res); err != nil {
		return nil, err
	}
	return res, nil
}

func selectExperiments(names []string) (map[string]bool, error) {
	all := ExperimentNames()
	only := map[string]bool{}
	if len(names) == 0 {
		for _, n := range all {
			only[n] = true
		}
		return only, nil
	}
	for _, n := range names {
		if !slices.Contains(all, n) {
			return nil, fmt.Errorf("experiment %q is unknown: use one of %s", n, strings.Join(all, ", "))
		}
		only[n] = true
	}
	return only, nil
}

// resolveTasks returns the tasks to run and, when none were named, the
// profile's inflection tasks left out because their files are absent.
func resolveTasks(p Profile, opts ExperimentsOptions) (tasks, skipped []string, err error) {
	known := TaskNames()
	if len(opts.Tasks) > 0 {
		for _, t := range opts.Tasks {
			if !slices.Contains(known, t) {
				return nil, nil, fmt.Errorf("task %q is unknown: use one of %s", t, strings.Join(known, ", "))
			}
		}
		return opts.Tasks, nil, nil
	}
	for _, t := range p.Tasks {
		if lang, ok := strings.CutPrefix(t, InflectionPrefix); ok {
			// Absent files skip the task; present but damaged ones fail it when it loads.
			folder := filepath.Join(opts.DataDir, inflection.DataSubdir, lang)
			if _, err := os.Stat(folder); errors.Is(err, fs.ErrNotExist) {
				skipped = append(skipped, fmt.Sprintf("%s: its files are not in %s (run \"dpr data fetch "+
					"-dataset sigmorphon2017\" to add them)", t, opts.DataDir))
				continue
			}
		}
		tasks = append(tasks, t)
	}
	return tasks, skipped, nil
}

// runTask runs the ablations for every seed of the profile on one task.
func (pl *Pipeline) runTask(ctx context.Context, ablations []Ablation, only map[string]bool) (*TaskResults, error) {
	p := pl.Profile
	tr := &TaskResults{Task: p.Split, Seeds: p.Seeds}
	// outcomes[a][k][i] is setting k of ablation a for seed i, and
	// extras[a][k][i] holds that run's extra measurements, if the ablation
	// has any.
	outcomes := make([][][]*Outcome, len(ablations))
	extras := make([][][]map[Measure]float64, len(ablations))
	for a := range ablations {
		outcomes[a] = make([][]*Outcome, len(ablations[a].Settings))
		extras[a] = make([][]map[Measure]float64, len(ablations[a].Settings))
	}
	sftOutcomes := make([]*Outcome, len(p.Seeds))
	var credits []seedCredit
	counted := map[string]bool{}
	count := func(o *Outcome) {
		if !counted[o.Dir] {
			counted[o.Dir] = true
			tr.ComputeSeconds += o.Seconds
		}
	}
	for i, seed := range p.Seeds {
		s, err := pl.SFT(ctx, seed)
		if err != nil {
			return nil, err
		}
		if sftOutcomes[i], err = pl.Variant(ctx, s, Variant{Method: MethodSFT}); err != nil {
			return nil, err
		}
		tr.ComputeSeconds += s.Result.Seconds
		count(sftOutcomes[i])
		for a, abl := range ablations {
			for k, setting := range abl.Settings {
				o, err := pl.Variant(ctx, s, setting.Variant)
				if err != nil {
					return nil, fmt.Errorf("%s, %s, seed %d: %w", abl.Name, setting.Label, seed, err)
				}
				outcomes[a][k] = append(outcomes[a][k], o)
				count(o)
				if len(abl.Extra) > 0 {
					m, err := pl.measure(s, setting.Variant, o, abl.Extra)
					if err != nil {
						return nil, err
					}
					extras[a][k] = append(extras[a][k], m)
				}
			}
		}
		if only[CreditAssignment] {
			c, err := pl.creditAssignment(ctx, s)
			if err != nil {
				return nil, fmt.Errorf("credit assignment, seed %d: %w", seed, err)
			}
			credits = append(credits, c)
		}
	}
	if err := summariseTask(tr, ablations, only, outcomes, extras, sftOutcomes, credits); err != nil {
		return nil, err
	}
	return tr, nil
}

// summariseTask turns the runs of one task into intervals in tr: π_SFT's
// scores, every ablation, credit assignment and the reward-gaming checks.
func summariseTask(tr *TaskResults, ablations []Ablation, only map[string]bool, outcomes [][][]*Outcome,
	extras [][][]map[Measure]float64, sftOutcomes []*Outcome, credits []seedCredit) error {
	var sftEM, sftTrain []float64
	for _, o := range sftOutcomes {
		sftEM, sftTrain = append(sftEM, o.HeldOut.ExactMatch), append(sftTrain, o.Train.ExactMatch)
	}
	var err error
	if tr.SFT, err = stats.BootstrapMean(sftEM, stats.DefaultOptions()); err != nil {
		return err
	}
	if tr.SFTTrain, err = stats.BootstrapMean(sftTrain, stats.DefaultOptions()); err != nil {
		return err
	}
	for a, abl := range ablations {
		ar, err := summariseAblation(abl, outcomes[a], sftOutcomes, extras[a])
		if err != nil {
			return fmt.Errorf("%s: %w", abl.Name, err)
		}
		tr.Ablations = append(tr.Ablations, *ar)
	}
	if only[CreditAssignment] {
		c, err := summariseCredit(credits)
		if err != nil {
			return fmt.Errorf("credit assignment: %w", err)
		}
		tr.Credit = c
	}
	if only[RewardGaming] {
		tr.Gaming = gamingResults(ablations, outcomes)
	}
	return nil
}

// measure computes the extra measurements of variant v, whose outcome for
// the seed of s is o.
func (pl *Pipeline) measure(s *SFTRun, v Variant, o *Outcome, which []Measure) (map[Measure]float64, error) {
	out := map[Measure]float64{}
	for _, m := range which {
		switch m {
		case MeasureLength:
			out[m] = o.HeldOut.Length
		case MeasureRewardScale, MeasureRewardSNR:
			if _, done := out[m]; done {
				continue
			}
			scale, snr, err := pl.rewardStatistics(s, v)
			if err != nil {
				return nil, err
			}
			out[MeasureRewardScale], out[MeasureRewardSNR] = scale, snr
		}
	}
	return out, nil
}

// summariseAblation turns per-seed outcomes into intervals. outcomes[k][i]
// and extras[k][i] are setting k for seed i.
func summariseAblation(abl Ablation, outcomes [][]*Outcome, sft []*Outcome, extras [][]map[Measure]float64) (
	*AblationResults, error) {
	opts := stats.DefaultOptions()
	ar := &AblationResults{Name: abl.Name}
	sftEM := make([]float64, len(sft))
	sftTrain := make([]float64, len(sft))
	for i, o := range sft {
		sftEM[i], sftTrain[i] = o.HeldOut.ExactMatch, o.Train.ExactMatch
	}
	for k, setting := range abl.Settings {
		sr := SettingResults{Label: setting.Label}
		em := make([]float64, len(outcomes[k]))
		train := make([]float64, len(outcomes[k]))
		perMeasure := map[Measure][]float64{}
		for i, o := range outcomes[k] {
			em[i], train[i] = o.HeldOut.ExactMatch, o.Train.ExactMatch
			so := SeedOutcome{Seed: o.Seed, ExactMatch: o.HeldOut.ExactMatch, TrainExactMatch: o.Train.ExactMatch,
				EditDistance: o.HeldOut.EditDistance, Length: o.HeldOut.Length, Dir: o.Dir}
			if len(abl.Extra) > 0 {
				so.Extra = extras[k][i]
				for _, m := range abl.Extra {
					perMeasure[m] = append(perMeasure[m], so.Extra[m])
				}
			}
			sr.PerSeed = append(sr.PerSeed, so)
		}
		var err error
		if sr.ExactMatch, err = stats.BootstrapMean(em, opts); err != nil {
			return nil, fmt.Errorf("%s: %w", setting.Label, err)
		}
		if sr.Delta, err = stats.PairedDifference(em, sftEM, opts); err != nil {
			return nil, fmt.Errorf("%s: %w", setting.Label, err)
		}
		if abl.TrainPrompts {
			ti, err := stats.BootstrapMean(train, opts)
			if err != nil {
				return nil, err
			}
			td, err := stats.PairedDifference(train, sftTrain, opts)
			if err != nil {
				return nil, err
			}
			sr.TrainExactMatch, sr.TrainDelta = &ti, &td
		}
		if len(perMeasure) > 0 {
			sr.Extra = map[Measure]stats.Interval{}
			for m, xs := range perMeasure {
				if sr.Extra[m], err = stats.BootstrapMean(xs, opts); err != nil {
					return nil, fmt.Errorf("%s, %s: %w", setting.Label, m, err)
				}
			}
		}
		ar.Settings = append(ar.Settings, sr)
	}
	return ar, nil
}
