package experiment

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/dprkit/dprkit/dprlib/internal/atomicfile"
	"github.com/dprkit/dprkit/dprlib/internal/jsonfile"
	"github.com/dprkit/dprkit/dprlib/stats"
)

// ReadResults reads the ResultsName file written by RunExperiments.
func ReadResults(path string) (*Results, error) {
	var r Results
	if err := jsonfile.Read(path, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// pct formats a share interval as percent with one decimal.
func pct(iv stats.Interval) string { return iv.Format(100, 1) }

// signed formats a paired difference in percentage points with its sign.
func signed(iv stats.Interval) string {
	s := fmt.Sprintf("%+.1f [%+.1f, %+.1f]", 100*iv.Mean, 100*iv.Low, 100*iv.High)
	if iv.Low > 0 || iv.High < 0 {
		s = "**" + s + "**"
	}
	return s
}

// ResultsMarkdown renders res as the results page: for every experiment, a
// table of each task and setting with the mean over seeds and its
// bootstrap interval. command is the command line that produced res.
func ResultsMarkdown(res *Results, command string) string {
	var b strings.Builder
	level := fmt.Sprintf("%g%%", 100*res.Level)
	fmt.Fprintf(&b, "# Results\n\n")
	fmt.Fprintf(&b, "Every number below comes from `%s` (profile %s, seeds %v, %d held-out prompts per "+
		"task), run on %s/%s with %d CPUs, %s, backend %s. The stored runs took %s of training and "+
		"evaluation; this call took %s. ", command, res.Profile.Name,
		res.Profile.Seeds, res.Profile.EvalCount, res.Machine.GOOS, res.Machine.GOARCH, res.Machine.CPUs,
		res.Machine.GoVersion, res.Machine.Backend, formatDuration(res.ComputeSeconds), formatDuration(res.Seconds))
	fmt.Fprintf(&b, "A cell reads mean [%s bootstrap interval] over seeds, in percent. "+
		"A Δ column is the difference to π_SFT paired by seed, in percentage points. "+
		"Bold marks a Δ whose interval excludes 0. With 3 seeds a 95%% percentile-bootstrap interval is "+
		"close to the range of the seed values, so bold means every seed moved the same way; read it as "+
		"the spread over seeds, not as a significance test. "+
		"The JSON file of each figure holds the same numbers, and `%s` holds them all with the per-seed "+
		"values.\n\n", level, ResultsName)
	if len(res.Skipped) > 0 {
		fmt.Fprintf(&b, "Tasks left out: %s.\n\n", strings.Join(res.Skipped, "; "))
	}
	for _, tr := range res.Tasks {
		fmt.Fprintf(&b, "π_SFT on %s: %s held-out, %s on training prompts.\n\n", tr.Task, pct(tr.SFT),
			pct(tr.SFTTrain))
	}
	b.WriteString(claimsMarkdown(res.Claims))
	for _, abl := range res.Profile.Ablations() {
		rows := ablationRows(abl, res)
		if rows == "" {
			continue
		}
		fmt.Fprintf(&b, "## %s\n\n%s\n\n![%s](%s.svg)\n\n%s\n", abl.Name, abl.Question, abl.Name, abl.Name, rows)
	}
	if credit := creditMarkdown(res); credit != "" {
		b.WriteString(credit)
	}
	if gaming := gamingMarkdown(res); gaming != "" {
		b.WriteString(gaming)
	}
	b.WriteString(galleryMarkdown())
	return b.String()
}

func ablationRows(abl Ablation, res *Results) string {
	var b strings.Builder
	header := "| task | setting | exact match | Δ vs π_SFT |"
	rule := "|---|---|---:|---:|"
	if abl.TrainPrompts {
		header += " exact match, training prompts | Δ, training prompts |"
		rule += "---:|---:|"
	}
	for _, m := range abl.Extra {
		header += " " + measureLabels[m] + " |"
		rule += "---:|"
	}
	found := false
	for _, tr := range res.Tasks {
		for _, ar := range tr.Ablations {
			if ar.Name != abl.Name {
				continue
			}
			found = true
			for _, s := range ar.Settings {
				fmt.Fprintf(&b, "| %s | %s | %s | %s |", tr.Task, s.Label, pct(s.ExactMatch), signed(s.Delta))
				if abl.TrainPrompts && s.TrainExactMatch != nil {
					fmt.Fprintf(&b, " %s | %s |", pct(*s.TrainExactMatch), signed(*s.TrainDelta))
				}
				for _, m := range abl.Extra {
					scale := 1.0
					fmt.Fprintf(&b, " %s |", s.Extra[m].Format(scale, 2))
				}
				b.WriteString("\n")
			}
		}
	}
	if !found {
		return ""
	}
	return header + "\n" + rule + "\n" + b.String()
}

func gamingMarkdown(res *Results) string {
	var b strings.Builder
	total, flagged := 0, 0
	var names []string
	for _, tr := range res.Tasks {
		for _, g := range tr.Gaming {
			total++
			if g.Flagged {
				flagged++
				names = append(names, fmt.Sprintf("%s: %s, %s, seed %d", tr.Task, g.Ablation, g.Setting, g.Seed))
			}
		}
	}
	if total == 0 {
		return ""
	}
	sort.Strings(names)
	fmt.Fprintf(&b, "## %s\n\nEvery DPR run of the ablations is checked: a run is flagged when the least-squares "+
		"trend of the samples' Σr̂ rises while the verifier's score of the same samples falls by more than "+
		"twice the standard error of its trend. The figure shows, per task, the base DPR run and the "+
		"log π_SFT-only run of the first seed, and the flagged run whose verifier score fell fastest.\n\n![%s](%s.svg)\n\n",
		RewardGaming, RewardGaming, RewardGaming)
	fmt.Fprintf(&b, "%d of %d DPR runs flagged", flagged, total)
	if flagged > 0 {
		fmt.Fprintf(&b, ": %s", strings.Join(names, "; "))
	}
	b.WriteString(".\n\n")
	return b.String()
}

// formatDuration renders seconds as minutes and seconds.
func formatDuration(seconds float64) string {
	s := int(math.Round(seconds))
	if s < 60 {
		return fmt.Sprintf("%d s", s)
	}
	return fmt.Sprintf("%d min %d s", s/60, s%60)
}

// WriteResultsPage writes ResultsMarkdown(res, command) to path atomically.
func WriteResultsPage(path string, res *Results, command string) error {
	return atomicfile.WriteFile(path, []byte(ResultsMarkdown(res, command)))
}

// AblationTable returns the numbers of one ablation as table cells, one row
// per task and setting, exact match in percent: for notebooks and
// terminals.
func AblationTable(res *Results, name string) (header []string, rows [][]string) {
	header = []string{"task", "setting", "exact match (%)", "Δ vs π_SFT (points)"}
	var extra []Measure
	train := false
	for _, a := range res.Profile.Ablations() {
		if a.Name == name {
			extra, train = a.Extra, a.TrainPrompts
		}
	}
	if train {
		header = append(header, "training prompts (%)", "Δ, training prompts")
	}
	for _, m := range extra {
		header = append(header, measureLabels[m])
	}
	for _, tr := range res.Tasks {
		for _, ar := range tr.Ablations {
			if ar.Name != name {
				continue
			}
			for _, s := range ar.Settings {
				row := []string{tr.Task, s.Label, pct(s.ExactMatch), points(s.Delta)}
				if train && s.TrainExactMatch != nil {
					row = append(row, pct(*s.TrainExactMatch), points(*s.TrainDelta))
				}
				for _, m := range extra {
					row = append(row, s.Extra[m].Format(1, 2))
				}
				rows = append(rows, row)
			}
		}
	}
	return header, rows
}

// ClaimsAbout returns the claims that an ablation bears on.
func ClaimsAbout(res *Results, name string) []Claim {
	var out []Claim
	for _, c := range res.Claims {
		if claimAblation[c.Claim] == name {
			out = append(out, c)
		}
	}
	return out
}

// galleryEntry describes one figure of the kit: its file name without
// extension, what it shows, the command that draws it and the notebook
// that explains it.
type galleryEntry struct {
	name, caption, command, notebook string
}

// gallery lists every figure that dpr reproduce writes, in reading order.
var gallery = []galleryEntry{
	{"sft-loss", "SFT training loss per seed, with the saved checkpoints marked", "dpr reproduce", "01_tour"},
	{"dpr-training", "DPR per seed: mean r̂, KL to π_SFT and held-out exact match against SFT's",
		"dpr reproduce", "01_tour"},
	{"reward-heatmap", "r̂ per token for a held-out prompt: the correct response and π_SFT's wrong one",
		"dpr reproduce", "01_tour"},
	{"theory-identity-errors", "SFT = IQ-Learn at γ = 1 and the other identities: measured error against bound",
		"dpr theory --figures DIR", "02_sft_is_inverse_q"},
	{"theory-gamma-gap", "the γ < 1 gap of the IQ-Learn objective against its formula",
		"dpr theory --figures DIR", "02_sft_is_inverse_q"},
	{"theory-dpr-convergence", "sampled DPR converging to the KL-regularised optimum on the tree MDP",
		"dpr theory --figures DIR", "02_sft_is_inverse_q"},
	{"theory-stability", "sup-norm stability bounds over random pairs of policies",
		"dpr theory --figures DIR", "02_sft_is_inverse_q"},
	{"theory-chi-square", "the χ² regulariser", "dpr theory --figures DIR", "02_sft_is_inverse_q"},
	{"theory-reward-recovery", "recovery of the expert reward up to shaping as the data grows",
		"dpr theory --figures DIR", "02_sft_is_inverse_q"},
	{GammaAblation, "held-out exact match and its paired difference to SFT for each γ",
		"dpr experiments --only gamma-ablation", "03_gamma_ablation"},
	{ReferenceSweep, "exact match, size and signal-to-noise of r̂ for each reference checkpoint",
		"dpr experiments --only reference-sweep", "04_reference_sweep"},
	{BaselineRemoval, "the log-ratio reward against log π_SFT alone: exact match and response length",
		"dpr experiments --only baseline-removal", "05_controls_and_baselines"},
	{Temperature, "exact match for each sampling temperature", "dpr experiments --only temperature",
		"05_controls_and_baselines"},
	{Controls, "DPR against SFT, continued SFT, SPIN and GSIL on held-out and training prompts",
		"dpr experiments --only controls", "05_controls_and_baselines"},
	{CreditAssignment, "Δr̂ around a corrupted token, and how well r̂ locates the first wrong token",
		"dpr experiments --only credit-assignment", "05_controls_and_baselines"},
	{RewardGaming, "Σr̂ against the verifier's score during DPR, with flagged runs",
		"dpr experiments --only reward-gaming", "05_controls_and_baselines"},
}

// galleryMarkdown lists every figure with its caption, command and
// notebook. Each figure comes as NAME.svg, NAME.png and its data (NAME.csv,
// and NAME.json for the ablations).
func galleryMarkdown() string {
	var b strings.Builder
	b.WriteString("## Every figure\n\n`dpr reproduce` draws all of them, and `dpr figures` redraws them from the " +
		"run store without training. Each comes as SVG, PNG and its data.\n\n")
	b.WriteString("| figure | what it shows | command | notebook |\n|---|---|---|---|\n")
	for _, g := range gallery {
		fmt.Fprintf(&b, "| [%s](%s.svg) | %s | `%s` | [%s](../notebooks/%s.ipynb) |\n", g.name, g.name, g.caption,
			g.command, g.notebook, g.notebook)
	}
	return b.String() + "\n"
}
