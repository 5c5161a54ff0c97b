package experiment

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/dprkit/dprkit/dprlib/credit"
	"github.com/dprkit/dprkit/dprlib/figures"
	"github.com/dprkit/dprkit/dprlib/internal/jsonfile"
	"github.com/dprkit/dprkit/dprlib/policy"
	"github.com/dprkit/dprkit/dprlib/reward"
	"github.com/dprkit/dprkit/dprlib/stats"
	"github.com/dprkit/dprkit/dprlib/tokenizer"
)

// creditMaxOffset is how far from the corrupted token the figure reaches.
const creditMaxOffset = 4

// seedCredit is one seed's credit-assignment measurement.
type seedCredit struct {
	Corruption   credit.CorruptionSummary   `json:"corruption"`
	Offsets      []credit.OffsetStat        `json:"offsets"`
	Localisation credit.LocalisationSummary `json:"localisation"`
	// Located reports that the localisation measures are defined.
	Located bool `json:"located"`
}

// creditRecord is the file, credit-<hash>.json in an SFT run's folder, that
// stores one seed's credit assignment with every per-sequence record.
type creditRecord struct {
	Summary      seedCredit                `json:"summary"`
	Corruption   credit.CorruptionResult   `json:"corruption"`
	Localisation credit.LocalisationResult `json:"localisation"`
}

// creditAssignment measures, with π_ref at the profile's reference
// fraction, how r̂ reacts to one corrupted token of each held-out
// demonstration, and how well it locates the first wrong token of π_SFT's
// own samples (τ = 1) on the held-out prompts.
func (pl *Pipeline) creditAssignment(ctx context.Context, s *SFTRun) (seedCredit, error) {
	key, err := jsonfile.Hash(struct {
		RefFraction float64
		EvalCount   int
		Decoding    any
		MaxOffset   int
	}{pl.Profile.RefFraction, pl.Profile.EvalCount, pl.Profile.Decoding, creditMaxOffset})
	if err != nil {
		return seedCredit{}, err
	}
	path := filepath.Join(s.Dir, "credit-"+key[:12]+".json")
	var stored creditRecord
	if err := jsonfile.Read(path, &stored); err == nil {
		return stored.Summary, nil
	}
	dense, err := pl.denseScorer(s, reward.LogRatio, pl.Profile.RefFraction)
	if err != nil {
		return seedCredit{}, err
	}
	demos, err := pl.heldOutDemos()
	if err != nil {
		return seedCredit{}, err
	}
	corr, err := credit.Corrupt(dense, demos, pl.responseVocabulary(),
		credit.CorruptOptions{Seed: s.Seed, MaxOffset: creditMaxOffset, BatchSize: pl.Profile.Decoding.BatchSize})
	if err != nil {
		return seedCredit{}, err
	}
	if err := ctx.Err(); err != nil {
		return seedCredit{}, err
	}

	prompts := make([][]int32, len(demos))
	expected := make([][]int32, len(demos))
	for i, d := range demos {
		prompts[i], expected[i] = d.Prompt(), d.Response()
	}
	opts := policy.SampleOptions{Temperature: 1, MaxNewTokens: pl.Profile.Decoding.MaxNewTokens,
		EOS: tokenizer.EOSID, Pad: tokenizer.PadID}
	rng := rand.New(rand.NewPCG(s.Seed, 0xc4ed17))
	var responses [][]int32
	for lo := 0; lo < len(prompts); lo += pl.Profile.Decoding.BatchSize {
		part := prompts[lo:min(lo+pl.Profile.Decoding.BatchSize, len(prompts))]
		out, _, err := pl.evaluator.Sampler.Generate(s.Model, part, opts, rng)
		if err != nil {
			return seedCredit{}, err
		}
		responses = append(responses, out...)
	}
	samples, err := credit.NewSamples(prompts, responses, expected)
	if err != nil {
		return seedCredit{}, err
	}
	loc, err := credit.Localise(dense, samples)
	located := err == nil
	if errors.Is(err, credit.ErrUndefinedAUC) {
		// Every sample was right, or went wrong at its first token: this seed
		// has nothing to rank, and its corruption test still counts.
		pl.log().Warn("credit assignment: no wrong token to locate", "seed", s.Seed, "err", err)
	} else if err != nil {
		return seedCredit{}, err
	}
	sum := seedCredit{Corruption: corr.Summary, Offsets: corr.Offsets, Localisation: loc.Summary,
		Located: located}
	if err := jsonfile.Write(path, creditRecord{sum, corr, loc}); err != nil {
		return seedCredit{}, err
	}
	return sum, nil
}

// responseVocabulary returns the ids of every token that occurs in a
// training response, EOS excluded: the replacements of the corruption test.
func (pl *Pipeline) responseVocabulary() []int32 {
	seen := map[int32]bool{}
	for _, d := range pl.Task.Demos {
		for _, id := range d.Response() {
			if id != tokenizer.EOSID {
				seen[id] = true
			}
		}
	}
	ids := make([]int32, 0, len(seen))
	for id := range seen {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// CreditResults summarises credit assignment over seeds.
type CreditResults struct {
	// DropShare is the share of corrupted demonstrations whose r̂ fell at the
	// corrupted token; DeltaAt the mean change of r̂ there, in nats.
	DropShare stats.Interval `json:"drop_share"`
	DeltaAt   stats.Interval `json:"delta_at"`
	// AbsDeltaAfter is the mean |Δr̂| at the tokens after the corrupted one.
	AbsDeltaAfter stats.Interval `json:"abs_delta_after"`
	// Offsets holds the mean Δr̂ at each position relative to the corrupted
	// token (0), the positions before it being unchanged by causality.
	Offsets []OffsetInterval `json:"offsets"`
	// AUC and AUCSFTOnly measure how well −r̂ and −log π_SFT single out the
	// first wrong token of π_SFT's incorrect samples among the tokens up to
	// it; 0.5 is chance. Top1 is the share of incorrect samples whose lowest
	// r̂ sits at the first wrong token, and Top1Chance that of a random pick.
	AUC           stats.Interval `json:"auc"`
	AUCSFTOnly    stats.Interval `json:"auc_sft_only"`
	Top1          stats.Interval `json:"top1"`
	Top1SFTOnly   stats.Interval `json:"top1_sft_only"`
	Top1Chance    stats.Interval `json:"top1_chance"`
	IncorrectMean float64        `json:"incorrect_samples_mean"`
}

// OffsetInterval is the mean Δr̂ at one offset from the corrupted token.
type OffsetInterval struct {
	Offset int            `json:"offset"`
	Delta  stats.Interval `json:"delta"`
}

func summariseCredit(seeds []seedCredit) (*CreditResults, error) {
	opts := stats.DefaultOptions()
	var located []seedCredit
	for _, s := range seeds {
		if s.Located {
			located = append(located, s)
		}
	}
	pick := func(from []seedCredit, f func(seedCredit) float64) []float64 {
		xs := make([]float64, len(from))
		for i, s := range from {
			xs[i] = f(s)
		}
		return xs
	}
	c := &CreditResults{}
	fields := []struct {
		dst  *stats.Interval
		from []seedCredit
		get  func(seedCredit) float64
	}{
		{&c.DropShare, seeds, func(s seedCredit) float64 { return s.Corruption.DropShare }},
		{&c.DeltaAt, seeds, func(s seedCredit) float64 { return s.Corruption.MeanDeltaAt }},
		{&c.AbsDeltaAfter, seeds, func(s seedCredit) float64 { return s.Corruption.MeanAbsDeltaAfter }},
		{&c.AUC, located, func(s seedCredit) float64 { return s.Localisation.AUC }},
		{&c.AUCSFTOnly, located, func(s seedCredit) float64 { return s.Localisation.AUCSFTOnly }},
		{&c.Top1, located, func(s seedCredit) float64 { return s.Localisation.Top1Rate }},
		{&c.Top1SFTOnly, located, func(s seedCredit) float64 { return s.Localisation.Top1RateSFTOnly }},
		{&c.Top1Chance, located, func(s seedCredit) float64 { return s.Localisation.Top1Chance }},
	}
	for _, f := range fields {
		if len(f.from) == 0 {
			continue // left at n = 0: no seed had a wrong token to locate
		}
		var err error
		if *f.dst, err = stats.BootstrapMean(pick(f.from, f.get), opts); err != nil {
			return nil, err
		}
	}
	for _, s := range seeds {
		c.IncorrectMean += float64(s.Localisation.Incorrect) / float64(len(seeds))
	}
	// Offsets that every seed measured.
	for off := -creditMaxOffset; off <= creditMaxOffset; off++ {
		var xs []float64
		for _, s := range seeds {
			for _, o := range s.Offsets {
				if o.Offset == off && o.Count > 0 {
					xs = append(xs, o.MeanDelta)
				}
			}
		}
		if len(xs) != len(seeds) {
			continue
		}
		iv, err := stats.BootstrapMean(xs, opts)
		if err != nil {
			return nil, err
		}
		c.Offsets = append(c.Offsets, OffsetInterval{Offset: off, Delta: iv})
	}
	return c, nil
}

func offsetLabel(off int) string {
	if off > 0 {
		return "+" + strconv.Itoa(off)
	}
	return strconv.Itoa(off)
}

// creditFigure draws, per task, the mean Δr̂ by offset from the corrupted
// token and the localisation AUCs.
func creditFigure(dir string, res *Results) ([]string, error) {
	f := figures.IntervalFigure{
		Title:   "Credit assignment: does r̂ single out the token that is wrong?",
		XLabel:  "position relative to the corrupted token, or the reward used",
		Columns: 2,
	}
	for _, tr := range res.Tasks {
		if tr.Credit == nil {
			continue
		}
		c := tr.Credit
		shift := figures.IntervalSeries{Name: "mean Δr̂ after corrupting one token"}
		for _, o := range c.Offsets {
			shift.Points = append(shift.Points, figures.IntervalPoint{Label: offsetLabel(o.Offset), Value: o.Delta})
		}
		zero := stats.Interval{Level: c.DeltaAt.Level, N: c.DeltaAt.N}
		chance := stats.Interval{Mean: 0.5, Low: 0.5, High: 0.5, Level: c.AUC.Level, N: c.AUC.N}
		auc := figures.IntervalSeries{Name: "AUC of the first wrong token", Points: []figures.IntervalPoint{
			{Label: "log π_SFT − log π_ref", Value: c.AUC},
			{Label: "log π_SFT alone", Value: c.AUCSFTOnly},
		}}
		f.Panels = append(f.Panels, figures.IntervalPanel{Title: tr.Task + ": corrupted demonstrations",
			YLabel: "Δr̂ (nats)", XLabel: "position relative to the corrupted token", Series: []figures.IntervalSeries{shift}, Reference: &zero, ReferenceName: "no change"})
		if c.AUC.N > 0 {
			f.Panels = append(f.Panels, figures.IntervalPanel{Title: tr.Task + ": π_SFT's wrong samples",
				YLabel: "ROC AUC", XLabel: "reward that ranks the tokens", Series: []figures.IntervalSeries{auc}, Reference: &chance, ReferenceName: "chance"})
		}
	}
	if len(f.Panels) == 0 {
		return nil, nil
	}
	out, err := figures.Intervals(dir, CreditAssignment, f)
	if err != nil {
		return nil, fmt.Errorf("figure %s: %w", CreditAssignment, err)
	}
	return out, nil
}

func creditMarkdown(res *Results) string {
	var b strings.Builder
	for _, tr := range res.Tasks {
		c := tr.Credit
		if c == nil {
			continue
		}
		if b.Len() == 0 {
			fmt.Fprintf(&b, "## %s\n\nOne token of each held-out demonstration is replaced by another response "+
				"token, and r̂ (π_ref at the profile's reference checkpoint) is compared before and after. "+
				"Then π_SFT samples at τ = 1 on the held-out prompts, and r̂ ranks the tokens of each wrong "+
				"sample up to its first wrong token.\n\n![%s](%s.svg)\n\n", CreditAssignment, CreditAssignment,
				CreditAssignment)
			b.WriteString("| task | r̂ falls at the corrupted token | mean Δr̂ there (nats) | mean abs Δr̂ after (nats) " +
				"| AUC, r̂ | AUC, log π_SFT | top-1, r̂ | top-1, log π_SFT | top-1, chance |\n")
			b.WriteString("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", tr.Task, pct(c.DropShare),
			c.DeltaAt.Format(1, 2), c.AbsDeltaAfter.Format(1, 2), c.AUC.Format(1, 3), c.AUCSFTOnly.Format(1, 3),
			pct(c.Top1), pct(c.Top1SFTOnly), pct(c.Top1Chance))
	}
	if b.Len() > 0 {
		b.WriteString("\n")
	}
	return b.String()
}
