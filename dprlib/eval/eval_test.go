package eval

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dprkit/dprkit/dprlib/device"
	"github.com/dprkit/dprkit/dprlib/internal/jsonfile"
	"github.com/dprkit/dprkit/dprlib/policy"
	"github.com/dprkit/dprkit/dprlib/scan"
	"github.com/dprkit/dprkit/dprlib/tokenizer"
)

func ids(t *testing.T, words string, eos bool) []int32 {
	t.Helper()
	out, err := tokenizer.ForSCAN().Encode(strings.Fields(words))
	if err != nil {
		t.Fatal(err)
	}
	if eos {
		out = append(out, tokenizer.EOSID)
	}
	return out
}

func TestScore(t *testing.T) {
	e := &Evaluator{Tokenizer: tokenizer.ForSCAN()}
	cases := []struct {
		name      string
		response  []int32
		exact     bool
		eos       bool
		editDist  int
		responseN int
	}{
		{"correct", ids(t, "I_JUMP I_JUMP", true), true, true, 0, 2},
		{"correct without EOS", ids(t, "I_JUMP I_JUMP", false), false, false, 0, 2},
		{"one token short", ids(t, "I_JUMP", true), false, true, 1, 1},
		{"wrong action", ids(t, "I_WALK I_JUMP", true), false, true, 1, 2},
		{"empty", nil, false, false, 2, 0},
	}
	items, err := SCANItems([]scan.Example{{Command: "jump twice"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		p := e.Score(items[0], c.response)
		if p.ExactMatch != c.exact {
			t.Errorf("%s: exact match %v, want %v", c.name, p.ExactMatch, c.exact)
		}
		if p.EOS != c.eos {
			t.Errorf("%s: EOS %v, want %v", c.name, p.EOS, c.eos)
		}
		if p.EditDistance != c.editDist {
			t.Errorf("%s: edit distance %d, want %d", c.name, p.EditDistance, c.editDist)
		}
		if len(p.Response) != c.responseN {
			t.Errorf("%s: %d response words, want %d", c.name, len(p.Response), c.responseN)
		}
	}
	if _, err := SCANItems([]scan.Example{{Command: "jump jump"}}); err == nil {
		t.Error("an ungrammatical command became an item without error")
	}
}

// scanItems returns the first n generated SCAN commands as items.
func scanItems(t *testing.T, n int) []Item {
	t.Helper()
	items, err := SCANItems(scan.Generate()[:n])
	if err != nil {
		t.Fatal(err)
	}
	return items
}

// untrainedEvaluator returns a tiny untrained model and an evaluator for it.
func untrainedEvaluator(t *testing.T) (*policy.Model, *Evaluator) {
	t.Helper()
	cfg := policy.Config{VocabSize: tokenizer.ForSCAN().VocabSize(), Width: 16, Depth: 1, Heads: 2,
		Context: 64, MLPRatio: 2}
	m, err := policy.New(cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	sampler, err := policy.NewSampler(device.MustBackend(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m, &Evaluator{Sampler: sampler, Tokenizer: tokenizer.ForSCAN()}
}

func TestEvaluateCountsAndErrors(t *testing.T) {
	m, e := untrainedEvaluator(t)
	examples := scanItems(t, 5)
	opts := Greedy()
	opts.BatchSize, opts.MaxNewTokens = 2, 8
	res, err := e.Evaluate(context.Background(), m, examples, opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.Count != 5 || len(res.Predictions) != 5 {
		t.Errorf("count %d with %d predictions, want 5", res.Count, len(res.Predictions))
	}
	if res.ExactMatch < 0 || res.ExactMatch > 1 || res.EOSRate < 0 || res.EOSRate > 1 {
		t.Errorf("rates out of [0, 1]: %+v", res)
	}
	for i, p := range res.Predictions {
		if p.Prompt != examples[i].Text {
			t.Errorf("prediction %d is for %q, want %q", i, p.Prompt, examples[i].Text)
		}
		if len(p.Response) > 8 {
			t.Errorf("prediction %d has %d words, more than max new tokens 8", i, len(p.Response))
		}
	}

	opts.BatchSize = 0
	if _, err := e.Evaluate(context.Background(), m, examples, opts); err == nil || !strings.Contains(err.Error(), "batch size 0") {
		t.Errorf("batch size 0: error = %v", err)
	}
	if _, err := e.Evaluate(context.Background(), m, nil, Greedy()); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Errorf("no examples: error = %v", err)
	}
}

func TestWriteReportHashesConfig(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.json")
	cfg := map[string]int{"steps": 3}
	if err := WriteReport(path, Report{Config: cfg, Seed: 4, Result: Result{Count: 1}}); err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := jsonfile.Read(path, &back); err != nil {
		t.Fatal(err)
	}
	want, err := jsonfile.Hash(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if back.ConfigHash != want || len(want) != 64 {
		t.Errorf("config hash %q, want %q", back.ConfigHash, want)
	}
	if back.Seed != 4 {
		t.Errorf("seed %d, want 4", back.Seed)
	}
}

func TestEvaluateStopsWhenCancelled(t *testing.T) {
	m, e := untrainedEvaluator(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := e.Evaluate(ctx, m, scanItems(t, 4), Greedy())
	if err == nil || !strings.Contains(err.Error(), "stopped after 0 of 4") {
		t.Errorf("error = %v, want the evaluation to stop", err)
	}
}
