package credit

import (
	"errors"
	"math"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/dprkit/dprkit/dprlib/device"
	"github.com/dprkit/dprkit/dprlib/policy"
	"github.com/dprkit/dprkit/dprlib/reward"
)

// Token ids of the hand-written cases: 1 BOS, 2 SEP, 3 EOS, 4… words.
const (
	bos int32 = 1
	sep int32 = 2
	eos int32 = 3
)

func TestFirstWrong(t *testing.T) {
	expected := []int32{5, 6, 7, eos}
	cases := []struct {
		name     string
		response []int32
		want     int
	}{
		{"correct", []int32{5, 6, 7, eos}, -1},
		{"substitution", []int32{5, 8, 7, eos}, 1},
		{"substitution at 0", []int32{8, 6, 7, eos}, 0},
		{"early EOS", []int32{5, 6, eos}, 2},
		{"EOS only", []int32{eos}, 0},
		{"too long", []int32{5, 6, 7, 7, eos}, 3},
		{"runs on without EOS", []int32{5, 6, 7, 7, 7, 7}, 3},
		{"continues after EOS", []int32{5, 6, 7, eos, 5}, 4},
		{"cut off before EOS", []int32{5, 6}, 2},
		{"cut off before last word", []int32{5, 6, 7}, 3},
	}
	for _, c := range cases {
		if got := FirstWrong(c.response, expected); got != c.want {
			t.Errorf("%s: FirstWrong(%v, %v) = %d, want %d", c.name, c.response, expected, got, c.want)
		}
	}
}

// handSamples returns four samples for the correct response 5 6 7 EOS and
// hand-set scores: a substitution the reward catches, a correct sample, an
// early EOS it misses and a response cut off before its EOS.
func handSamples(t *testing.T) ([]Sample, reward.Dense) {
	t.Helper()
	prompt := []int32{bos, 9, sep}
	expected := []int32{5, 6, 7, eos}
	responses := [][]int32{
		{5, 6, 8, eos},
		{5, 6, 7, eos},
		{5, eos},
		{5, 6},
	}
	samples, err := NewSamples([][]int32{prompt, prompt, prompt, prompt}, responses,
		[][]int32{expected, expected, expected, expected})
	if err != nil {
		t.Fatal(err)
	}
	dense := reward.Dense{
		Reward: [][]float32{
			{-0.1, -0.2, -2, -0.5},
			{-0.1, -0.1, -0.1, -0.1},
			{-0.3, -0.1},
			{-4, -4},
		},
		// log π_SFT ranks the other way on sample 0 and ties on sample 2.
		SFTLogProb: [][]float32{
			{-3, -0.5, -0.4, -0.2},
			{-0.2, -0.2, -0.2, -0.2},
			{-0.7, -0.7},
			{-5, -5},
		},
	}
	return samples, dense
}

func TestLocaliseScoredHandCases(t *testing.T) {
	samples, dense := handSamples(t)
	res, err := LocaliseScored(samples, dense)
	if err != nil {
		t.Fatal(err)
	}
	wantFirst := []int{2, -1, 1, 2}
	wantScored := []bool{true, false, true, false}
	wantLowest := []int{2, -1, 0, -1}
	wantTop1 := []float64{1, 0, 0, 0}
	wantTop1SFT := []float64{0, 0, 0.5, 0}
	for i, r := range res.Records {
		if r.FirstWrong != wantFirst[i] {
			t.Errorf("sample %d: first wrong %d, want %d", i, r.FirstWrong, wantFirst[i])
		}
		if r.Scored != wantScored[i] {
			t.Errorf("sample %d: scored %v, want %v", i, r.Scored, wantScored[i])
		}
		if r.Lowest != wantLowest[i] {
			t.Errorf("sample %d: lowest r̂ at %d, want %d", i, r.Lowest, wantLowest[i])
		}
		if r.Top1 != wantTop1[i] {
			t.Errorf("sample %d: top-1 %v, want %v", i, r.Top1, wantTop1[i])
		}
		if r.Top1SFTOnly != wantTop1SFT[i] {
			t.Errorf("sample %d: top-1 of log π_SFT %v, want %v", i, r.Top1SFTOnly, wantTop1SFT[i])
		}
	}
	if !res.Records[1].Correct {
		t.Error("sample 1 equals its correct response but is not marked correct")
	}

	s := res.Summary
	if s.Samples != 4 {
		t.Errorf("samples %d, want 4", s.Samples)
	}
	if s.Incorrect != 3 {
		t.Errorf("incorrect %d, want 3", s.Incorrect)
	}
	if s.Scored != 2 {
		t.Errorf("scored %d, want 2", s.Scored)
	}
	// Sample 0 contributes positions 0, 1 and the wrong 2; sample 2 position 0 and the wrong 1.
	if s.Tokens != 5 {
		t.Errorf("tokens %d, want 5", s.Tokens)
	}
	// −r̂: positives {2, 0.1}, negatives {0.1, 0.2, 0.3}, so 3.5 of 6 pairs.
	if want := 3.5 / 6; math.Abs(s.AUC-want) > 1e-12 {
		t.Errorf("AUC %v, want %v", s.AUC, want)
	}
	// −log π_SFT: positives {0.4, 0.7}, negatives {3, 0.5, 0.7}; only 0.7 > 0.5 and 0.7 = 0.7
	// count, so 1.5 of 6 pairs.
	if want := 1.5 / 6; math.Abs(s.AUCSFTOnly-want) > 1e-12 {
		t.Errorf("AUC of log π_SFT %v, want %v", s.AUCSFTOnly, want)
	}
	if s.Top1Rate != 0.5 {
		t.Errorf("top-1 rate %v, want 0.5", s.Top1Rate)
	}
	if s.Top1RateSFTOnly != 0.25 {
		t.Errorf("top-1 rate of log π_SFT %v, want 0.25", s.Top1RateSFTOnly)
	}
	if want := (1.0/3 + 1.0/2) / 2; math.Abs(s.Top1Chance-want) > 1e-12 {
		t.Errorf("top-1 chance %v, want %v", s.Top1Chance, want)
	}

	path := filepath.Join(t.TempDir(), "localisation.json")
	if err := res.Write(path); err != nil {
		t.Fatal(err)
	}
	back, err := ReadLocalisation(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, res) {
		t.Errorf("read back %+v, wrote %+v", back.Summary, res.Summary)
	}
}

func TestLocaliseScoredErrors(t *testing.T) {
	samples, dense := handSamples(t)

	if _, err := LocaliseScored(nil, dense); err == nil || !strings.Contains(err.Error(), "no samples") {
		t.Errorf("empty input: error = %v, want it to say there are no samples", err)
	}

	short := reward.Dense{Reward: dense.Reward[:3], SFTLogProb: dense.SFTLogProb[:3]}
	if _, err := LocaliseScored(samples, short); err == nil || !strings.Contains(err.Error(), "4 samples but 3") {
		t.Errorf("missing rows: error = %v, want it to give 4 samples and 3 rows", err)
	}

	bad := reward.Dense{Reward: append([][]float32(nil), dense.Reward...), SFTLogProb: dense.SFTLogProb}
	bad.Reward[2] = []float32{-0.3}
	if _, err := LocaliseScored(samples, bad); err == nil || !strings.Contains(err.Error(), "sample 2:") {
		t.Errorf("short reward row: error = %v, want it to name sample 2", err)
	}

	nan := reward.Dense{Reward: append([][]float32(nil), dense.Reward...), SFTLogProb: dense.SFTLogProb}
	nan.Reward[1] = []float32{-0.1, float32(math.NaN()), -0.1, -0.1}
	if _, err := LocaliseScored(samples, nan); err == nil || !strings.Contains(err.Error(), "sample 1:") {
		t.Errorf("NaN reward: error = %v, want it to name sample 1", err)
	}

	noExpected := append([]Sample(nil), samples...)
	noExpected[3].Expected = nil
	if _, err := LocaliseScored(noExpected, dense); err == nil || !strings.Contains(err.Error(), "sample 3 ") {
		t.Errorf("empty correct response: error = %v, want it to name sample 3", err)
	}

	_, err := LocaliseScored(samples[1:2], reward.Dense{Reward: dense.Reward[1:2], SFTLogProb: dense.SFTLogProb[1:2]})
	if !errors.Is(err, ErrUndefinedAUC) {
		t.Errorf("only a correct sample: error = %v, want ErrUndefinedAUC", err)
	}

	// Wrong at position 0: no correct token precedes the wrong one.
	first := []Sample{{Seq: policy.Sequence{Tokens: []int32{bos, sep, 8, eos}, PromptLen: 2},
		Expected: []int32{5, eos}}}
	_, err = LocaliseScored(first, reward.Dense{Reward: [][]float32{{-1, -1}}, SFTLogProb: [][]float32{{-1, -1}}})
	if !errors.Is(err, ErrUndefinedAUC) {
		t.Errorf("wrong at position 0 only: error = %v, want ErrUndefinedAUC", err)
	}
}

func TestNewSamplesErrors(t *testing.T) {
	p := []int32{bos, sep}
	r := []int32{5, eos}
	cases := []struct {
		name                         string
		prompts, responses, expected [][]int32
		want                         string
	}{
		{"fewer responses", [][]int32{p, p}, [][]int32{r}, [][]int32{r, r}, "2 prompts, 1 responses and 2"},
		{"fewer correct", [][]int32{p}, [][]int32{r}, nil, "1 prompts, 1 responses and 0"},
		{"empty prompt", [][]int32{p, {}}, [][]int32{r, r}, [][]int32{r, r}, "sample 1 has an empty prompt"},
		{"empty response", [][]int32{p, p}, [][]int32{{}, r}, [][]int32{r, r}, "sample 0 has an empty response"},
		{"empty correct", [][]int32{p, p}, [][]int32{r, r}, [][]int32{r, {}}, "sample 1 has an empty correct"},
	}
	for _, c := range cases {
		_, err := NewSamples(c.prompts, c.responses, c.expected)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error = %v, want it to contain %q", c.name, err, c.want)
		}
	}
}

func TestLocaliseOnTinyModel(t *testing.T) {
	scorer := tinyScorer(t)
	// Correct response 5 6 7 EOS; the samples make each kind of mistake.
	prompt := []int32{bos, 9, 10, sep}
	expected := []int32{5, 6, 7, eos}
	responses := [][]int32{{5, 6, 7, eos}, {5, 8, 7, eos}, {5, 6, eos}, {5, 6, 7, 7, eos}, {4, 6, 7, eos}}
	prompts := make([][]int32, len(responses))
	exp := make([][]int32, len(responses))
	for i := range responses {
		prompts[i], exp[i] = prompt, expected
	}
	samples, err := NewSamples(prompts, responses, exp)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Localise(scorer, samples)
	if err != nil {
		t.Fatal(err)
	}
	if res.Reward != reward.LogRatio {
		t.Errorf("reward kind %q, want %q", res.Reward, reward.LogRatio)
	}

	s := res.Summary
	if s.Incorrect != 4 {
		t.Errorf("incorrect %d, want 4", s.Incorrect)
	}
	if s.Scored != 4 {
		t.Errorf("scored %d, want 4", s.Scored)
	}
	// First wrong positions 1, 2, 3 and 0 give 2 + 3 + 4 + 1 tokens.
	if s.Tokens != 10 {
		t.Errorf("tokens %d, want 10", s.Tokens)
	}
	if s.AUC < 0 || s.AUC > 1 {
		t.Errorf("AUC %v is outside [0, 1]", s.AUC)
	}
	if s.AUCSFTOnly < 0 || s.AUCSFTOnly > 1 {
		t.Errorf("AUC of log π_SFT %v is outside [0, 1]", s.AUCSFTOnly)
	}

	subtracted := false
	for _, r := range res.Records {
		for pos := range r.Reward {
			if r.Reward[pos] != r.SFTLogProb[pos] {
				subtracted = true
			}
		}
	}
	if !subtracted {
		t.Error("r̂ equals log π_SFT at every token: log π_ref was not subtracted")
	}

	if _, err := Localise(scorer, nil); err == nil {
		t.Error("empty input: no error")
	}
	if _, err := Localise(nil, samples); err == nil {
		t.Error("nil scorer: no error")
	}

	// The same samples with the log π_SFT reward give the same AUC for both columns.
	sftOnly, err := reward.NewScorer(testScorer(t), reward.SFTOnly, tinyModel(t, 1), nil)
	if err != nil {
		t.Fatal(err)
	}
	res2, err := Localise(sftOnly, samples)
	if err != nil {
		t.Fatal(err)
	}
	if res2.Summary.AUC != res2.Summary.AUCSFTOnly {
		t.Errorf("log π_SFT reward: AUC %v differs from its own log π_SFT column %v",
			res2.Summary.AUC, res2.Summary.AUCSFTOnly)
	}
	if res2.Summary.AUCSFTOnly != s.AUCSFTOnly {
		t.Errorf("log π_SFT column %v under the log π_SFT reward, %v under the log-ratio reward: "+
			"the same π_SFT must give the same column", res2.Summary.AUCSFTOnly, s.AUCSFTOnly)
	}
}

// tinyConfig is an untrained policy small enough for a test: ids 0–3 are
// PAD, BOS, SEP and EOS, 4–10 words.
var tinyConfig = policy.Config{VocabSize: 11, Width: 16, Depth: 2, Heads: 2, Context: 24, MLPRatio: 2}

func tinyModel(t *testing.T, seed uint64) *policy.Model {
	t.Helper()
	m, err := policy.New(tinyConfig, seed)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func testScorer(t *testing.T) *policy.Scorer {
	t.Helper()
	s, err := policy.NewScorer(device.MustBackend(), tinyConfig)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// tinyScorer returns the log-ratio reward of two untrained models with
// different initialisations.
func tinyScorer(t *testing.T) *reward.Scorer {
	t.Helper()
	s, err := reward.NewScorer(testScorer(t), reward.LogRatio, tinyModel(t, 1), tinyModel(t, 2))
	if err != nil {
		t.Fatal(err)
	}
	return s
}
