package experiment

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dprkit/dprkit/dprlib/datapath"
	"github.com/dprkit/dprkit/dprlib/internal/jsonfile"
	"github.com/dprkit/dprkit/dprlib/scan"
)

func TestReproduceSmoke(t *testing.T) {
	work, out := t.TempDir(), t.TempDir()
	opts := Options{Profile: Smoke(), WorkDir: work, OutDir: out}
	sum, err := Reproduce(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Seeds) != len(Smoke().Seeds) {
		t.Errorf("summary has %d seeds, want %d", len(sum.Seeds), len(Smoke().Seeds))
	}
	for _, name := range []string{"sft-loss", "dpr-training", "reward-heatmap"} {
		for _, ext := range []string{".svg", ".png"} {
			info, err := os.Stat(filepath.Join(out, name+ext))
			if err != nil {
				t.Errorf("figure %s%s missing: %v", name, ext, err)
				continue
			}
			if info.Size() == 0 {
				t.Errorf("figure %s%s is empty", name, ext)
			}
		}
	}
	var back Summary
	if err := jsonfile.Read(filepath.Join(out, SummaryName), &back); err != nil {
		t.Fatal(err)
	}
	for i, s := range back.Seeds {
		if s.SFTExactMatch < 0 || s.SFTExactMatch > 1 || s.DPRExactMatch < 0 || s.DPRExactMatch > 1 {
			t.Errorf("seed %d: exact match %g / %g outside [0, 1]", i, s.SFTExactMatch, s.DPRExactMatch)
		}
		if s.SFTTokensPerSecond <= 0 {
			t.Errorf("seed %d: SFT throughput %g", i, s.SFTTokensPerSecond)
		}
	}

	// A second run finds every stage finished and reuses it.
	again, err := Reproduce(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	for i := range sum.Seeds {
		if again.Seeds[i].SFTExactMatch != sum.Seeds[i].SFTExactMatch ||
			again.Seeds[i].DPRExactMatch != sum.Seeds[i].DPRExactMatch {
			t.Errorf("seed %d: rerun gave %+v, first run %+v", i, again.Seeds[i], sum.Seeds[i])
		}
	}
}

func TestProfileValidate(t *testing.T) {
	cases := []struct {
		change func(*Profile)
		want   string
	}{
		{func(p *Profile) { p.Seeds = nil }, "no seeds"},
		{func(p *Profile) { p.Seeds = []uint64{1, 1} }, "seed 1 twice"},
		{func(p *Profile) { p.RefFraction = 0.3 }, "reference fraction 0.3"},
		{func(p *Profile) { p.RefFraction = 1 }, "π_SFT itself"},
		{func(p *Profile) { p.SFT.Fractions = []float64{0.5, 0.75} }, "end the list with 1"},
		{func(p *Profile) { p.DPR.Beta = -1 }, "β = -1"},
	}
	for _, c := range cases {
		p := Quick()
		c.change(&p)
		err := p.Validate()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error = %v, want it to contain %q", err, c.want)
		}
	}
	for _, name := range ProfileNames() {
		p, err := ProfileByName(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Validate(); err != nil {
			t.Errorf("built-in profile %s is invalid: %v", name, err)
		}
	}
	if _, err := ProfileByName("medium"); err == nil || !strings.Contains(err.Error(), "smoke, quick, full") {
		t.Errorf("unknown profile error = %v, want it to list the profiles", err)
	}
}

func TestLoadTaskErrors(t *testing.T) {
	_, err := LoadTask(t.TempDir(), "simple-p8", 10)
	if err == nil || !strings.Contains(err.Error(), "dpr data fetch") {
		t.Errorf("missing data: error = %v, want it to suggest dpr data fetch", err)
	}
	_, err = LoadTask("", "gen-p3", 10)
	if err == nil || !strings.Contains(err.Error(), "gen-p8") {
		t.Errorf("unknown split: error = %v, want it to list valid names", err)
	}
	_, err = LoadTask("", "gen-p16", 100000)
	if err == nil || !strings.Contains(err.Error(), "exceeds the 17565 held-out prompts") {
		t.Errorf("evaluation count past the test set: error = %v", err)
	}
	task, err := LoadTask("", "gen-p1", 50)
	if err != nil {
		t.Fatal(err)
	}
	if len(task.Eval) != 50 || len(task.Demos) != 209 {
		t.Errorf("gen-p1: %d demos, %d eval commands; want 209 and 50", len(task.Demos), len(task.Eval))
	}
	_, err = LoadTask("", "inflection-klingon", 10)
	if err == nil || !strings.Contains(err.Error(), "inflection-english") {
		t.Errorf("unknown language: error = %v, want it to list valid names", err)
	}
}

func TestTaskVerifierMatchesExpected(t *testing.T) {
	task, err := LoadTask("", "gen-p1", 20)
	if err != nil {
		t.Fatal(err)
	}
	verify := task.Verifier()
	for i, d := range task.Demos[:20] {
		if got := verify(d.Prompt(), d.Response()); got != 1 {
			t.Errorf("demonstration %d scored %g, want 1", i, got)
		}
		wrong := append([]int32{}, d.Response()...)
		wrong[0] = wrong[len(wrong)-1] // EOS first: an empty response
		if got := verify(d.Prompt(), wrong[:1]); got != 0 {
			t.Errorf("demonstration %d cut to EOS scored %g, want 0", i, got)
		}
		if got := verify(d.Prompt(), d.Response()[:len(d.Response())-1]); got != 0 {
			t.Errorf("demonstration %d without EOS scored %g, want 0", i, got)
		}
	}
	if longest := task.LongestPrompt(); longest < 3 || longest > 11 {
		t.Errorf("longest SCAN prompt has %d tokens, want 3 to 11 (at most 9 words, BOS and SEP)", longest)
	}
}

func TestDescribe(t *testing.T) {
	s := Describe([]float64{1, 2, 3, 4})
	if s.N != 4 || s.Mean != 2.5 || s.Min != 1 || s.Max != 4 {
		t.Errorf("Describe = %+v", s)
	}
	if want := 1.2909944487358056; s.Std < want-1e-12 || s.Std > want+1e-12 {
		t.Errorf("std = %.16f, want %.16f", s.Std, want)
	}
	if one := Describe([]float64{7}); one.Std != 0 || one.Mean != 7 {
		t.Errorf("one value: %+v", one)
	}
}

func TestLoadTaskRejectsEditedOfficialFile(t *testing.T) {
	realDir, err := datapath.Resolve("")
	if err != nil {
		t.Fatal(err)
	}
	files := scan.SplitFiles("simple-p1")
	dir := t.TempDir()
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(realDir, filepath.FromSlash(f)))
		if err != nil {
			t.Skipf("official SCAN files not found under %s: %v", realDir, err)
		}
		if strings.HasSuffix(f, "p1.txt") {
			// Relabel one demonstration: still well formed, but not the published file.
			data = []byte(strings.Replace(string(data), "OUT: I_", "OUT: I_WALK I_", 1))
		}
		dest := filepath.Join(dir, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dest, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, err = LoadTask(dir, "simple-p1", 10)
	if err == nil || !strings.Contains(err.Error(), "tasks_train_simple_p1.txt") ||
		!strings.Contains(err.Error(), "dpr data fetch") {
		t.Errorf("edited file: error = %v, want it to name the file and the fix", err)
	}
	if _, err := LoadTask(realDir, "simple-p1", 10); err != nil {
		t.Errorf("published files rejected: %v", err)
	}
}
