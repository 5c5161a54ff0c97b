package policy

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dprkit/dprkit/dprlib/device"
	"github.com/gomlx/gomlx/core/tensors"
)

func flatParams(t *testing.T, m *Model) [][]float32 {
	t.Helper()
	out := make([][]float32, len(m.Params))
	for i, p := range m.Params {
		out[i] = tensors.MustCopyFlatData[float32](p)
	}
	return out
}

func equalBits(a, b [][]float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if len(a[i]) != len(b[i]) {
			return false
		}
		for j := range a[i] {
			if math.Float32bits(a[i][j]) != math.Float32bits(b[i][j]) {
				return false
			}
		}
	}
	return true
}

func TestConfigValidate(t *testing.T) {
	good := Config{VocabSize: 10, Width: 32, Depth: 1, Heads: 4, Context: 16, MLPRatio: 2}
	if err := good.Validate(); err != nil {
		t.Fatalf("valid config rejected: %v", err)
	}
	cases := []struct {
		name   string
		change func(*Config)
		want   string
	}{
		{"heads do not divide width", func(c *Config) { c.Heads = 3 }, "heads 3"},
		{"zero depth", func(c *Config) { c.Depth = 0 }, "depth 0"},
		{"tiny vocabulary", func(c *Config) { c.VocabSize = 1 }, "vocabulary size 1"},
		{"short context", func(c *Config) { c.Context = 1 }, "context 1"},
	}
	for _, c := range cases {
		cfg := good
		c.change(&cfg)
		err := cfg.Validate()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error = %v, want it to mention %q", c.name, err, c.want)
		}
	}
}

func TestNewIsSeeded(t *testing.T) {
	a := flatParams(t, testModel(t, 11))
	b := flatParams(t, testModel(t, 11))
	c := flatParams(t, testModel(t, 12))
	if !equalBits(a, b) {
		t.Error("two models with seed 11 differ")
	}
	if equalBits(a, c) {
		t.Error("models with seeds 11 and 12 are identical")
	}
}

func TestCheckpointRoundTrip(t *testing.T) {
	m := testModel(t, 1)
	path := filepath.Join(t.TempDir(), "m.ckpt")
	meta := Metadata{Kind: "sft", Fraction: 0.5, Step: 7, ExamplesSeen: 224, Seed: 3,
		Tokenizer: []byte(`{"tokens":["a"]}`)}
	if err := SaveCheckpoint(path, m, meta); err != nil {
		t.Fatal(err)
	}
	back, gotMeta, err := LoadCheckpoint(path)
	if err != nil {
		t.Fatal(err)
	}
	if back.Config != m.Config {
		t.Errorf("config = %+v, want %+v", back.Config, m.Config)
	}
	if !equalBits(flatParams(t, back), flatParams(t, m)) {
		t.Error("weights changed in the round trip")
	}
	if gotMeta.Fraction != 0.5 || gotMeta.Step != 7 || gotMeta.Seed != 3 || gotMeta.Kind != "sft" {
		t.Errorf("metadata = %+v, want fraction 0.5, step 7, seed 3, kind sft", gotMeta)
	}
	if string(gotMeta.Tokenizer) != `{"tokens":["a"]}` {
		t.Errorf("tokenizer = %s", gotMeta.Tokenizer)
	}
}

func TestLoadCheckpointErrors(t *testing.T) {
	dir := t.TempDir()
	m := testModel(t, 1)
	good := filepath.Join(dir, "good.ckpt")
	if err := SaveCheckpoint(good, m, Metadata{}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	flipped := slices.Clone(data)
	flipped[len(flipped)-40] ^= 0xff // A weight byte, before the 32-byte trailer.
	headerEdit := []byte(strings.Replace(string(data), `"step":0`, `"step":7`, 1))
	cases := map[string]struct {
		content []byte
		want    string
	}{
		"not a checkpoint": {[]byte("hello world, this is text"), "not a dpr checkpoint"},
		"truncated":        {data[:len(data)-10], "truncated"},
		"corrupt weights":  {flipped, "corrupt"},
		"edited header":    {headerEdit, "does not match the trailer"},
		"old format":       {append([]byte("DPRCKPT1\n"), data[9:]...), "format 1"},
	}
	for name, c := range cases {
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "-"))
		if err := os.WriteFile(path, c.content, 0o644); err != nil {
			t.Fatal(err)
		}
		_, _, err := LoadCheckpoint(path)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error = %v, want it to contain %q", name, err, c.want)
		}
	}
	_, _, err = LoadCheckpoint(filepath.Join(dir, "missing.ckpt"))
	if err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("missing file: error = %v, want \"not found\"", err)
	}
	_, _, err = LoadCheckpoint(dir)
	if err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("directory: error = %v, want \"is a directory\"", err)
	}
}

// copyTask returns sequences "<bos> a b <sep> a b <eos>" over ids 4..9 and
// their response mask, normalised to sum 1.
func copyTask(rows int, seed uint64) (Batch, []float32) {
	rng := rand.New(rand.NewPCG(seed, 1))
	seqs := make([]Sequence, rows)
	for i := range seqs {
		a, b := int32(4+rng.IntN(6)), int32(4+rng.IntN(6))
		seqs[i] = Sequence{Tokens: []int32{1, a, b, 2, a, b, 3}, PromptLen: 4}
	}
	batch, mask, err := SequenceBatch(seqs, 24, 0)
	if err != nil {
		panic(err)
	}
	n := float32(0)
	for _, v := range mask {
		n += v
	}
	for i := range mask {
		mask[i] /= n
	}
	return batch, mask
}

func trainCopy(t *testing.T, steps int) (*Model, []float64) {
	t.Helper()
	m := testModel(t, 2)
	adam := DefaultAdam()
	adam.LearningRate = 3e-3
	tr, err := NewTrainer(device.MustBackend(), m, adam)
	if err != nil {
		t.Fatal(err)
	}
	var losses []float64
	for i := range steps {
		b, w := copyTask(16, uint64(i))
		res, err := tr.Step(b, w)
		if err != nil {
			t.Fatal(err)
		}
		losses = append(losses, res.Loss)
	}
	return m, losses
}

func TestTrainerLearnsCopy(t *testing.T) {
	_, losses := trainCopy(t, 150)
	first, last := losses[0], losses[len(losses)-1]
	if first < 1.5 {
		t.Errorf("initial loss %.3f is implausibly low for a vocabulary of 11", first)
	}
	if last > 0.6*first {
		t.Errorf("loss went from %.3f to %.3f in 150 steps; want it to fall by at least 40%%", first, last)
	}
}

func TestTrainingIsBitIdentical(t *testing.T) {
	a, lossA := trainCopy(t, 5)
	b, lossB := trainCopy(t, 5)
	if !slices.Equal(lossA, lossB) {
		t.Errorf("losses differ between identical runs: %v vs %v", lossA, lossB)
	}
	if !equalBits(flatParams(t, a), flatParams(t, b)) {
		t.Error("weights differ between identical runs")
	}
}

func TestStepRejectsNaN(t *testing.T) {
	m := testModel(t, 4)
	before := flatParams(t, m)
	tr, err := NewTrainer(device.MustBackend(), m, DefaultAdam())
	if err != nil {
		t.Fatal(err)
	}
	b, w := copyTask(4, 1)
	w[len(w)-1] = float32(math.NaN())
	_, err = tr.Step(b, w)
	if err == nil || !strings.Contains(err.Error(), "diverged") {
		t.Fatalf("error = %v, want a divergence error", err)
	}
	if !equalBits(before, flatParams(t, m)) {
		t.Error("a diverged step changed the weights")
	}
	if tr.Steps != 0 {
		t.Errorf("step counter = %d after a rejected step, want 0", tr.Steps)
	}
}

func TestScorerProbabilitiesSumToOne(t *testing.T) {
	m := testModel(t, 6)
	scorer, err := NewScorer(device.MustBackend(), m.Config)
	if err != nil {
		t.Fatal(err)
	}
	// Score every possible next token after one fixed prefix.
	var seqs [][]int32
	for a := int32(0); a < int32(m.Config.VocabSize); a++ {
		seqs = append(seqs, []int32{1, 5, 2, a})
	}
	b, err := PadSequences(seqs, 4, 0)
	if err != nil {
		t.Fatal(err)
	}
	terms, err := scorer.Terms(m, b)
	if err != nil {
		t.Fatal(err)
	}
	total := 0.0
	for r := range seqs {
		i := r*terms.Steps + 2
		total += math.Exp(float64(terms.LogProb[i]))
		if d := math.Abs(float64(terms.Q[i] - terms.Value[i] - terms.LogProb[i])); d > 1e-5 {
			t.Errorf("row %d: Q − V − log π = %g, want 0", r, d)
		}
	}
	if math.Abs(total-1) > 1e-5 {
		t.Errorf("Σ_a π(a|s) = %.7f, want 1", total)
	}
}

func TestTruncateTopKTopP(t *testing.T) {
	probs := []float64{0.1, 0.4, 0.2, 0.3}
	truncate(probs, 2, 0)
	want := []float64{0, 0.4 / 0.7, 0, 0.3 / 0.7}
	for i := range want {
		if math.Abs(probs[i]-want[i]) > 1e-12 {
			t.Errorf("top-2: probs = %v, want %v", probs, want)
			break
		}
	}
	probs = []float64{0.1, 0.4, 0.2, 0.3}
	truncate(probs, 0, 0.65)
	want = []float64{0, 0.4 / 0.7, 0, 0.3 / 0.7}
	for i := range want {
		if math.Abs(probs[i]-want[i]) > 1e-12 {
			t.Errorf("top-p 0.65: probs = %v, want %v", probs, want)
			break
		}
	}
}

func TestSampleOptionsValidate(t *testing.T) {
	cases := []struct {
		opts SampleOptions
		want string
	}{
		{SampleOptions{Temperature: -1}, "temperature -1"},
		{SampleOptions{Temperature: 1, TopP: 1.5}, "top-p 1.5"},
		{SampleOptions{Temperature: 1, TopK: -2}, "top-k -2"},
	}
	for _, c := range cases {
		err := c.opts.Validate()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error = %v, want %q", c.opts, err, c.want)
		}
	}
}

func TestSequenceBatchMask(t *testing.T) {
	seqs := []Sequence{{Tokens: []int32{1, 5, 2, 7, 3}, PromptLen: 3}}
	b, mask, err := SequenceBatch(seqs, 64, 0)
	if err != nil {
		t.Fatal(err)
	}
	if b.Length != 8 {
		t.Errorf("bucketed length = %d, want 8", b.Length)
	}
	// Transitions 2 (→7) and 3 (→EOS) are the response.
	want := []float32{0, 0, 1, 1, 0, 0, 0}
	if !slices.Equal(mask, want) {
		t.Errorf("mask = %v, want %v", mask, want)
	}
}

func TestLogitsAgreeWithTerms(t *testing.T) {
	m := testModel(t, 8)
	scorer, err := NewScorer(device.MustBackend(), m.Config)
	if err != nil {
		t.Fatal(err)
	}
	b, err := PadSequences([][]int32{{1, 4, 2, 5, 3}, {1, 6, 7, 2, 8}}, 5, 0)
	if err != nil {
		t.Fatal(err)
	}
	logits, err := scorer.Logits(m, b)
	if err != nil {
		t.Fatal(err)
	}
	terms, err := scorer.Terms(m, b)
	if err != nil {
		t.Fatal(err)
	}
	v := m.Config.VocabSize
	if len(logits) != b.Rows*b.Length*v {
		t.Fatalf("%d logits, want %d", len(logits), b.Rows*b.Length*v)
	}
	for r := range b.Rows {
		for pos := range b.Length - 1 {
			next := b.Tokens[r*b.Length+pos+1]
			got := logits[(r*b.Length+pos)*v+int(next)]
			want := terms.Q[r*terms.Steps+pos]
			if math.Abs(float64(got-want)) > 1e-5 {
				t.Errorf("row %d position %d: logit %g, Q %g", r, pos, got, want)
			}
		}
	}
}

func TestLogProbsOfMatchesSingleScoring(t *testing.T) {
	a, b := testModel(t, 1), testModel(t, 2)
	scorer, err := NewScorer(device.MustBackend(), a.Config)
	if err != nil {
		t.Fatal(err)
	}
	batch, err := PadSequences([][]int32{{1, 4, 2, 5, 3}, {1, 6, 7, 2, 8}}, 5, 0)
	if err != nil {
		t.Fatal(err)
	}
	both, err := scorer.LogProbsOf([]*Model{a, b}, batch)
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range []*Model{a, b} {
		single, err := scorer.LogProbs(m, batch)
		if err != nil {
			t.Fatal(err)
		}
		for j := range single {
			if math.Abs(float64(both[i][j]-single[j])) > 1e-6 {
				t.Fatalf("model %d position %d: %g together, %g alone", i, j, both[i][j], single[j])
			}
		}
	}
}
