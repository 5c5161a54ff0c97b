package experiment

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dprkit/dprkit/dprlib/datapath"
	"github.com/dprkit/dprkit/dprlib/inflection"
)

// inflectionDataDir returns the data folder holding the inflection files,
// or skips the test.
func inflectionDataDir(t *testing.T) string {
	t.Helper()
	loc, err := datapath.Resolve("")
	if err == nil {
		if _, err = inflection.Load(loc, "english", "test"); err == nil {
			return loc
		}
	}
	t.Skipf("the CoNLL-SIGMORPHON 2017 files are not available (%v): run \"dpr data fetch -dataset "+
		"sigmorphon2017\" to test the inflection task", err)
	return ""
}

func TestExperimentsSmokeOnSCAN(t *testing.T) {
	work, out := t.TempDir(), t.TempDir()
	p := Smoke()
	opts := ExperimentsOptions{Profile: p, WorkDir: work, OutDir: out, Tasks: []string{"gen-p1"}}
	res, err := RunExperiments(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Tasks) != 1 {
		t.Fatalf("%d task results, want 1", len(res.Tasks))
	}
	tr := res.Tasks[0]
	if got, want := len(tr.Ablations), len(p.Ablations()); got != want {
		t.Errorf("%d ablations, want %d", got, want)
	}
	for _, a := range tr.Ablations {
		for _, s := range a.Settings {
			iv := s.ExactMatch
			if iv.N != len(p.Seeds) {
				t.Errorf("%s %s: n = %d, want %d", a.Name, s.Label, iv.N, len(p.Seeds))
			}
			if !(iv.Low <= iv.Mean && iv.Mean <= iv.High) || iv.Low < 0 || iv.High > 1 {
				t.Errorf("%s %s: interval %+v is not ordered inside [0, 1]", a.Name, s.Label, iv)
			}
			if len(s.PerSeed) != len(p.Seeds) {
				t.Errorf("%s %s: %d per-seed outcomes", a.Name, s.Label, len(s.PerSeed))
			}
		}
	}
	// The SFT setting of the controls is π_SFT itself, so its paired
	// difference is exactly 0.
	for _, a := range tr.Ablations {
		if a.Name == Controls {
			if d := a.Settings[0].Delta; d.Mean != 0 || d.Low != 0 || d.High != 0 {
				t.Errorf("controls: SFT against itself differs by %+v", d)
			}
			if a.Settings[0].TrainExactMatch == nil {
				t.Error("controls: no score on training prompts")
			}
		}
	}
	if tr.Credit == nil {
		t.Fatal("no credit-assignment results")
	}
	if a := tr.Credit.AUC.Mean; a < 0 || a > 1 {
		t.Errorf("credit assignment AUC %g outside [0, 1]", a)
	}
	if len(tr.Gaming) == 0 {
		t.Error("no reward-gaming checks")
	}
	for _, name := range ExperimentNames() {
		for _, ext := range []string{".svg", ".png", ".json"} {
			info, err := os.Stat(filepath.Join(out, name+ext))
			if err != nil {
				t.Errorf("figure file %s%s: %v", name, ext, err)
			} else if info.Size() == 0 {
				t.Errorf("figure file %s%s is empty", name, ext)
			}
		}
	}
	if _, err := ReadResults(filepath.Join(out, ResultsName)); err != nil {
		t.Errorf("read %s: %v", ResultsName, err)
	}
	page := ResultsMarkdown(res, "dpr experiments --profile smoke")
	for _, want := range []string{"## gamma-ablation", "## controls", "## credit-assignment", "γ = 0.9", "gen-p1",
		"## Every figure", "[reward-heatmap](reward-heatmap.svg)"} {
		if !strings.Contains(page, want) {
			t.Errorf("results page lacks %q", want)
		}
	}

	// A second run trains nothing: every variant is loaded from the store.
	before := countFiles(t, work)
	again, err := RunExperiments(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if after := countFiles(t, work); after != before {
		t.Errorf("the rerun changed the run store from %d to %d files", before, after)
	}
	if again.Tasks[0].Ablations[0].Settings[1].ExactMatch != tr.Ablations[0].Settings[1].ExactMatch {
		t.Error("the rerun gave a different result")
	}
}

func countFiles(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestExperimentsSmokeOnInflection(t *testing.T) {
	dataDir := inflectionDataDir(t)
	work, out := t.TempDir(), t.TempDir()
	p := Smoke()
	p.Seeds = p.Seeds[:1]
	// Longer than the context leaves after the longest inflection prompt:
	// the pipeline must shorten it instead of failing.
	p.AblationDPR.MaxNewTokens = 60
	opts := ExperimentsOptions{Profile: p, DataDir: dataDir, WorkDir: work, OutDir: out,
		Tasks: []string{InflectionPrefix + "english"}, Only: []string{Controls}}
	res, err := RunExperiments(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Tasks[0].Task; got != "inflection-english" {
		t.Errorf("task %q", got)
	}
	if _, err := os.Stat(filepath.Join(out, Controls+".svg")); err != nil {
		t.Error(err)
	}
}

func TestExperimentsRejectBadNames(t *testing.T) {
	for _, c := range []struct {
		opts ExperimentsOptions
		want string
	}{
		{ExperimentsOptions{Only: []string{"gama-ablation"}}, `experiment "gama-ablation" is unknown`},
		{ExperimentsOptions{Tasks: []string{"inflection-klingon"}}, `task "inflection-klingon" is unknown`},
	} {
		c.opts.Profile, c.opts.WorkDir, c.opts.OutDir = Smoke(), t.TempDir(), t.TempDir()
		_, err := RunExperiments(context.Background(), c.opts)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error = %v, want it to contain %q", err, c.want)
		}
	}
}

func TestAblationsShareTheBaseRun(t *testing.T) {
	p := Quick()
	keys := map[string][]string{}
	for _, a := range p.Ablations() {
		for _, s := range a.Settings {
			v, err := s.Variant.normalise()
			if err != nil {
				t.Fatalf("%s %s: %v", a.Name, s.Label, err)
			}
			key := string(v.Method)
			if v == mustNormalise(t, p.BaseVariant()) {
				key = "base"
			}
			keys[a.Name] = append(keys[a.Name], key)
		}
	}
	for _, name := range []string{GammaAblation, ReferenceSweep, Temperature, BaselineRemoval, Controls} {
		if !slices.Contains(keys[name], "base") {
			t.Errorf("%s does not include the base DPR run: %v", name, keys[name])
		}
	}
}

func mustNormalise(t *testing.T, v Variant) Variant {
	t.Helper()
	n, err := v.normalise()
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestGalleryNamesEveryExperiment(t *testing.T) {
	listed := map[string]bool{}
	for _, g := range gallery {
		listed[g.name] = true
	}
	for _, name := range ExperimentNames() {
		if !listed[name] {
			t.Errorf("figure %s is missing from the gallery", name)
		}
	}
}

func TestExperimentsSkipAbsentInflection(t *testing.T) {
	p := Smoke()
	p.Seeds = p.Seeds[:1]
	opts := ExperimentsOptions{Profile: p, DataDir: t.TempDir(), WorkDir: t.TempDir(), OutDir: t.TempDir(),
		Only: []string{GammaAblation}}
	res, err := RunExperiments(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Tasks) != 1 || res.Tasks[0].Task != "gen-p1" {
		t.Errorf("ran %d tasks, want gen-p1 alone", len(res.Tasks))
	}
	if len(res.Skipped) != 1 || !strings.Contains(res.Skipped[0], "dpr data fetch -dataset sigmorphon2017") {
		t.Errorf("skipped %q, want the inflection task with the fetch command", res.Skipped)
	}
}

func TestDamagedSFTLogKeepsStoredRuns(t *testing.T) {
	p := Smoke()
	p.Seeds = p.Seeds[:1]
	work := t.TempDir()
	opts := ExperimentsOptions{Profile: p, WorkDir: work, OutDir: t.TempDir(), Tasks: []string{"gen-p1"},
		Only: []string{Temperature}}
	if _, err := RunExperiments(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	logs, err := filepath.Glob(filepath.Join(work, "gen-p1", "seed-1", "sft-*", "sft-log.json"))
	if err != nil || len(logs) != 1 {
		t.Fatalf("found SFT logs %v (%v), want one", logs, err)
	}
	if err := os.WriteFile(logs[0], []byte(`{"config": {`), 0o644); err != nil {
		t.Fatal(err)
	}
	before := countFiles(t, work)
	_, err = RunExperiments(context.Background(), opts)
	if err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Errorf("rerun with a damaged SFT log: error = %v, want it to report the damage", err)
	}
	if after := countFiles(t, work); after != before {
		t.Errorf("the rerun changed the run store from %d to %d files", before, after)
	}
}
