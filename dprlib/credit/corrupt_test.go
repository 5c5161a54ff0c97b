package credit

import (
	"math"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/dprkit/dprkit/dprlib/policy"
	"github.com/dprkit/dprkit/dprlib/reward"
)

// responseVocab is the word ids 4–10 of tinyConfig.
var responseVocab = []int32{4, 5, 6, 7, 8, 9, 10}

// correctSequences returns n sequences "BOS w w SEP response… EOS" with
// responses of 1 to 12 words, drawn from seed.
func correctSequences(n int, seed uint64) []policy.Sequence {
	rng := rand.New(rand.NewPCG(seed, 3))
	seqs := make([]policy.Sequence, n)
	for i := range seqs {
		tokens := []int32{bos, responseVocab[rng.IntN(7)], responseVocab[rng.IntN(7)], sep}
		for range 1 + rng.IntN(12) {
			tokens = append(tokens, responseVocab[rng.IntN(7)])
		}
		seqs[i] = policy.Sequence{Tokens: append(tokens, eos), PromptLen: 4}
	}
	return seqs
}

func TestCorruptOnTinyModel(t *testing.T) {
	scorer := tinyScorer(t)
	seqs := correctSequences(20, 1)
	// A batch size of 8 splits the 20 sequences over three chunks of two shapes.
	opts := CorruptOptions{Seed: 5, BatchSize: 8}
	res, err := Corrupt(scorer, seqs, responseVocab, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Records) != len(seqs) {
		t.Fatalf("%d records for %d sequences", len(res.Records), len(seqs))
	}

	changedAfter := false
	for i, r := range res.Records {
		n := len(seqs[i].Response())
		if r.Position < 0 || r.Position >= n-1 {
			t.Errorf("sequence %d: corrupted position %d is outside [0, %d), which excludes EOS", i, r.Position, n-1)
			continue
		}
		if r.Token != seqs[i].Tokens[seqs[i].PromptLen+r.Position] {
			t.Errorf("sequence %d: recorded token %d is not the original token at %d", i, r.Token, r.Position)
		}
		if r.Replacement == r.Token {
			t.Errorf("sequence %d: replacement %d equals the original token", i, r.Replacement)
		}
		if !slices.Contains(responseVocab, r.Replacement) {
			t.Errorf("sequence %d: replacement %d is not in the vocabulary %v", i, r.Replacement, responseVocab)
		}
		// Causality: the reward before t must not move at all.
		for s := range r.Position {
			if r.Delta[s] != 0 {
				t.Errorf("sequence %d: Δr̂ = %g at response position %d, before the corrupted %d",
					i, r.Delta[s], s, r.Position)
			}
		}
		if r.MaxAbsBefore != 0 {
			t.Errorf("sequence %d: max |Δr̂| before t = %g, want exactly 0", i, r.MaxAbsBefore)
		}
		if r.DeltaAt == 0 {
			t.Errorf("sequence %d: Δr̂_t = 0: replacing token %d by %d left its reward unchanged",
				i, r.Token, r.Replacement)
		}
		if r.After != n-1-r.Position {
			t.Errorf("sequence %d: %d positions after t, want %d", i, r.After, n-1-r.Position)
		}
		if r.MeanAbsAfter > 0 {
			changedAfter = true
		}
	}
	if !changedAfter {
		t.Error("no position after a corrupted token changed: the model ignores its context")
	}

	// Offsets: the aggregate covers every (sequence, position) pair once.
	total, atZero := 0, 0
	for _, o := range res.Offsets {
		total += o.Count
		if o.Offset < 0 && o.MeanAbsDelta != 0 {
			t.Errorf("offset %d: mean |Δr̂| = %g before the corrupted token, want 0", o.Offset, o.MeanAbsDelta)
		}
		if o.Offset == 0 {
			atZero = o.Count
		}
	}
	want := 0
	for _, s := range seqs {
		want += len(s.Response())
	}
	if total != want {
		t.Errorf("offset counts add up to %d, want %d response tokens", total, want)
	}
	if atZero != len(seqs) {
		t.Errorf("offset 0 counts %d, want one per sequence (%d)", atZero, len(seqs))
	}
	if res.Summary.MaxAbsBefore != 0 {
		t.Errorf("summary max |Δr̂| before t = %g, want exactly 0", res.Summary.MaxAbsBefore)
	}
	if res.Summary.Sequences != len(seqs) {
		t.Errorf("summary counts %d sequences, want %d", res.Summary.Sequences, len(seqs))
	}
	if res.Summary.WithAfter != len(seqs) {
		t.Errorf("%d sequences have positions after t, want all %d", res.Summary.WithAfter, len(seqs))
	}

	// The records hold the same rewards as scoring the originals directly.
	direct, err := scorer.Score(seqs, 8)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res.Records {
		if !slices.Equal(r.Reward, direct.Reward[i]) {
			t.Errorf("sequence %d: recorded r̂ %v, scored directly %v", i, r.Reward, direct.Reward[i])
		}
	}

	again, err := Corrupt(scorer, seqs, responseVocab, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(again, res) {
		t.Error("a second run with the same seed gave a different result")
	}
	opts.Seed = 6
	other, err := Corrupt(scorer, seqs, responseVocab, opts)
	if err != nil {
		t.Fatal(err)
	}
	if reflect.DeepEqual(other.Records, res.Records) {
		t.Error("seeds 5 and 6 corrupted the same positions with the same tokens")
	}

	path := filepath.Join(t.TempDir(), "corruption.json")
	if err := res.Write(path); err != nil {
		t.Fatal(err)
	}
	back, err := ReadCorruption(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, res) {
		t.Errorf("read back summary %+v, wrote %+v", back.Summary, res.Summary)
	}
}

func TestCorruptIncludeEOS(t *testing.T) {
	// A response of EOS alone has no position to corrupt unless IncludeEOS is set.
	seqs := []policy.Sequence{{Tokens: []int32{bos, 5, sep, eos}, PromptLen: 3}}
	if _, err := CorruptSequences(seqs, responseVocab, CorruptOptions{}); err == nil ||
		!strings.Contains(err.Error(), "sequence 0 has a 1-token response") {
		t.Errorf("EOS-only response: error = %v, want it to name sequence 0", err)
	}
	got, err := CorruptSequences(seqs, responseVocab, CorruptOptions{IncludeEOS: true})
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Position != 0 {
		t.Errorf("corrupted position %d, want 0", got[0].Position)
	}
	if got[0].Token != eos {
		t.Errorf("corrupted token %d, want EOS %d", got[0].Token, eos)
	}
	if got[0].Corrupted.Tokens[3] == eos {
		t.Errorf("corrupted sequence %v still ends with EOS", got[0].Corrupted.Tokens)
	}
	if !slices.Equal(seqs[0].Tokens, []int32{bos, 5, sep, eos}) {
		t.Errorf("the input sequence changed to %v", seqs[0].Tokens)
	}

	// With IncludeEOS, every position is drawn over many sequences, EOS included.
	many := correctSequences(200, 2)
	corruptions, err := CorruptSequences(many, append([]int32{eos}, responseVocab...), CorruptOptions{IncludeEOS: true})
	if err != nil {
		t.Fatal(err)
	}
	hitEOS := false
	for i, c := range corruptions {
		if c.Position == len(many[i].Response())-1 {
			hitEOS = true
		}
	}
	if !hitEOS {
		t.Error("200 corruptions with IncludeEOS never picked the EOS position")
	}
}

func TestCorruptSequencesErrors(t *testing.T) {
	seqs := correctSequences(3, 4)
	cases := []struct {
		name  string
		seqs  []policy.Sequence
		vocab []int32
		opts  CorruptOptions
		want  string
	}{
		{"no sequences", nil, responseVocab, CorruptOptions{}, "no sequences to corrupt"},
		{"no vocabulary", seqs, nil, CorruptOptions{}, "vocabulary is empty"},
		{"repeated id", seqs, []int32{4, 5, 4}, CorruptOptions{}, "entries 0 and 2 are both token id 4"},
		{"negative id", seqs, []int32{4, -1}, CorruptOptions{}, "entry 1 is token id -1"},
		{"no prompt", append(slices.Clone(seqs), policy.Sequence{Tokens: []int32{5, eos}}), responseVocab,
			CorruptOptions{}, "sequence 3:"},
		{"only the original token", []policy.Sequence{{Tokens: []int32{bos, sep, 5, eos}, PromptLen: 2}},
			[]int32{5}, CorruptOptions{}, "token 5 at response position 0 is the only token"},
		{"negative offset", seqs, responseVocab, CorruptOptions{MaxOffset: -1}, "max offset -1"},
		{"negative batch", seqs, responseVocab, CorruptOptions{BatchSize: -2}, "batch size -2"},
		{"NaN tolerance", seqs, responseVocab, CorruptOptions{CausalTolerance: math.NaN()}, "causal tolerance NaN"},
	}
	for _, c := range cases {
		_, err := CorruptSequences(c.seqs, c.vocab, c.opts)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error = %v, want it to contain %q", c.name, err, c.want)
		}
	}
	if _, err := Corrupt(nil, seqs, responseVocab, CorruptOptions{}); err == nil {
		t.Error("nil scorer: no error")
	}
}

// handCorruption returns one corruption at response position 1 of a 4-token
// response and rewards in which positions 2 and 3 change.
func handCorruption() ([]Corruption, reward.Dense, reward.Dense) {
	orig := policy.Sequence{Tokens: []int32{bos, sep, 5, 6, 7, eos}, PromptLen: 2}
	corr := policy.Sequence{Tokens: []int32{bos, sep, 5, 8, 7, eos}, PromptLen: 2}
	c := []Corruption{{Original: orig, Corrupted: corr, Position: 1, Token: 6, Replacement: 8}}
	before := reward.Dense{Reward: [][]float32{{-0.5, -0.25, -1, -2}}}
	after := reward.Dense{Reward: [][]float32{{-0.5, -3.25, -1.5, -1}}}
	return c, before, after
}

func TestCompareCorruptedHandCase(t *testing.T) {
	c, before, after := handCorruption()
	res, err := CompareCorrupted(c, before, after, CorruptOptions{MaxOffset: 2})
	if err != nil {
		t.Fatal(err)
	}
	r := res.Records[0]
	if !slices.Equal(r.Delta, []float64{0, -3, -0.5, 1}) {
		t.Errorf("Δr̂ = %v, want [0 -3 -0.5 1]", r.Delta)
	}
	if r.DeltaAt != -3 {
		t.Errorf("Δr̂_t = %v, want -3", r.DeltaAt)
	}
	if r.After != 2 {
		t.Errorf("%d positions after t, want 2", r.After)
	}
	if r.MeanAbsAfter != 0.75 {
		t.Errorf("mean |Δr̂| after t = %v, want 0.75", r.MeanAbsAfter)
	}
	if r.MaxAbsBefore != 0 {
		t.Errorf("max |Δr̂| before t = %v, want 0", r.MaxAbsBefore)
	}

	s := res.Summary
	if s.DropShare != 1 {
		t.Errorf("drop share %v, want 1", s.DropShare)
	}
	if s.MeanAbsDeltaAt != 3 {
		t.Errorf("mean |Δr̂_t| %v, want 3", s.MeanAbsDeltaAt)
	}
	if s.AtToAfterRatio != 4 {
		t.Errorf("ratio of |Δr̂_t| to mean |Δr̂| after t = %v, want 4", s.AtToAfterRatio)
	}
	wantOffsets := []OffsetStat{
		{Offset: -2},
		{Offset: -1, Count: 1},
		{Offset: 0, Count: 1, MeanDelta: -3, MeanAbsDelta: 3},
		{Offset: 1, Count: 1, MeanDelta: -0.5, MeanAbsDelta: 0.5},
		{Offset: 2, Count: 1, MeanDelta: 1, MeanAbsDelta: 1},
	}
	if !reflect.DeepEqual(res.Offsets, wantOffsets) {
		t.Errorf("offsets %+v, want %+v", res.Offsets, wantOffsets)
	}
}

func TestCompareCorruptedRejectsLeak(t *testing.T) {
	c, before, after := handCorruption()
	after.Reward[0][0] = -0.5001
	_, err := CompareCorrupted(c, before, after, CorruptOptions{})
	if err == nil || !strings.Contains(err.Error(), "attention mask leaks") {
		t.Errorf("change before t: error = %v, want it to report a leaking mask", err)
	}
	if _, err := CompareCorrupted(c, before, after, CorruptOptions{CausalTolerance: 1e-3}); err != nil {
		t.Errorf("change within the causal tolerance: %v", err)
	}
}

func TestCompareCorruptedErrors(t *testing.T) {
	c, before, after := handCorruption()
	two := []Corruption{c[0], c[0]}
	twoBefore := reward.Dense{Reward: [][]float32{before.Reward[0], before.Reward[0]}}
	if _, err := CompareCorrupted(nil, before, after, CorruptOptions{}); err == nil ||
		!strings.Contains(err.Error(), "no corruptions") {
		t.Errorf("empty input: error = %v", err)
	}
	if _, err := CompareCorrupted(two, twoBefore, after, CorruptOptions{}); err == nil ||
		!strings.Contains(err.Error(), "2 corruptions but rewards of 2 original and 1 corrupted") {
		t.Errorf("missing corrupted rows: error = %v", err)
	}
	short := reward.Dense{Reward: [][]float32{before.Reward[0], before.Reward[0][:3]}}
	twoAfter := reward.Dense{Reward: [][]float32{after.Reward[0], after.Reward[0]}}
	if _, err := CompareCorrupted(two, short, twoAfter, CorruptOptions{}); err == nil ||
		!strings.Contains(err.Error(), "sequence 1: 3 original and 4 corrupted rewards") {
		t.Errorf("short reward row: error = %v, want it to name sequence 1", err)
	}
	outside := slices.Clone(two)
	outside[1].Position = 4
	if _, err := CompareCorrupted(outside, twoBefore, twoAfter, CorruptOptions{}); err == nil ||
		!strings.Contains(err.Error(), "sequence 1: corrupted position 4") {
		t.Errorf("position past the response: error = %v, want it to name sequence 1", err)
	}
}
