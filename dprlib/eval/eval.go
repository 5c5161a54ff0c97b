// Package eval scores a policy on held-out prompts against a verifier's
// expected responses: exact match of the whole response, and token-level
// edit distance (Levenshtein) as partial credit. For SCAN the expected
// response comes from the grammar's interpreter; for inflection it is the
// gold form.
package eval

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/dprkit/dprkit/dprlib/device"
	"github.com/dprkit/dprkit/dprlib/internal/jsonfile"
	"github.com/dprkit/dprkit/dprlib/policy"
	"github.com/dprkit/dprkit/dprlib/scan"
	"github.com/dprkit/dprkit/dprlib/tokenizer"
)

// Item is one held-out prompt with the response the verifier accepts.
type Item struct {
	// Text is the prompt as people read it: a SCAN command, or a lemma with
	// its tags.
	Text string `json:"text"`
	// Prompt is the prompt as tokens, without BOS and SEP.
	Prompt []string `json:"prompt"`
	// Expected is the correct response as tokens, without EOS.
	Expected []string `json:"expected"`
}

// Options sets how responses are decoded for evaluation.
type Options struct {
	// Temperature 0 decodes greedily; a positive τ samples.
	Temperature float64 `json:"temperature"`
	TopK        int     `json:"top_k"`
	TopP        float64 `json:"top_p"`
	// MaxNewTokens caps a response, EOS included.
	MaxNewTokens int `json:"max_new_tokens"`
	// BatchSize is the number of commands decoded together.
	BatchSize int `json:"batch_size"`
	// Seed drives sampling; unused for greedy decoding.
	Seed uint64 `json:"seed"`
}

// Greedy returns greedy decoding with responses up to 50 tokens, 128
// commands per batch.
func Greedy() Options {
	return Options{MaxNewTokens: 50, BatchSize: 128}
}

// Prediction is one scored response.
type Prediction struct {
	Prompt   string   `json:"prompt"`
	Response []string `json:"response"`
	Expected []string `json:"expected"`
	// EOS reports whether the response ended with EOS (it is not in Response).
	EOS          bool `json:"eos"`
	ExactMatch   bool `json:"exact_match"`
	EditDistance int  `json:"edit_distance"`
}

// Result summarises an evaluation.
type Result struct {
	Count int `json:"count"`
	// ExactMatch is the share of responses equal to the interpreter's output.
	ExactMatch float64 `json:"exact_match"`
	// MeanEditDistance is the mean token-level Levenshtein distance to it.
	MeanEditDistance float64 `json:"mean_edit_distance"`
	// EOSRate is the share of responses that ended with EOS.
	EOSRate     float64      `json:"eos_rate"`
	Seconds     float64      `json:"seconds"`
	Predictions []Prediction `json:"predictions,omitempty"`
}

// Evaluator decodes and verifies with reusable compiled graphs.
type Evaluator struct {
	Sampler   *policy.Sampler
	Tokenizer *tokenizer.Tokenizer
}

// Evaluate decodes a response for every item's prompt under m and verifies
// it against the item's expected response.
func (e *Evaluator) Evaluate(ctx context.Context, m *policy.Model, examples []Item, opts Options) (
	Result, error) {
	if opts.BatchSize < 1 {
		return Result{}, fmt.Errorf("evaluation batch size %d is invalid: it must be at least 1", opts.BatchSize)
	}
	if len(examples) == 0 {
		return Result{}, fmt.Errorf("no held-out examples to evaluate: the test split is empty")
	}
	need := m.Config.SamplingBytes(opts.BatchSize)
	if err := policy.CheckMemory(need, device.TotalMemory(),
		fmt.Sprintf("decoding %d prompts at once", opts.BatchSize), "lower the evaluation batch size"); err != nil {
		return Result{}, err
	}
	sampling := policy.SampleOptions{Temperature: opts.Temperature, TopK: opts.TopK, TopP: opts.TopP,
		MaxNewTokens: opts.MaxNewTokens, EOS: tokenizer.EOSID, Pad: tokenizer.PadID}
	rng := rand.New(rand.NewPCG(opts.Seed, 0xe7a1))
	start := time.Now()
	res := Result{Count: len(examples)}
	exact, eos, edits := 0, 0, 0
	for lo := 0; lo < len(examples); lo += opts.BatchSize {
		if err := ctx.Err(); err != nil {
			return Result{}, fmt.Errorf("evaluation stopped after %d of %d prompts: %w", lo, len(examples), err)
		}
		part := examples[lo:min(lo+opts.BatchSize, len(examples))]
		prompts := make([][]int32, len(part))
		for i, ex := range part {
			p, err := e.Tokenizer.EncodePrompt(ex.Prompt)
			if err != nil {
				return Result{}, fmt.Errorf("held-out example %d: %w", lo+i, err)
			}
			prompts[i] = p
		}
		responses, _, err := e.Sampler.Generate(m, prompts, sampling, rng)
		if err != nil {
			return Result{}, err
		}
		for i, ids := range responses {
			p := e.Score(part[i], ids)
			if p.ExactMatch {
				exact++
			}
			if p.EOS {
				eos++
			}
			edits += p.EditDistance
			res.Predictions = append(res.Predictions, p)
		}
	}
	n := float64(len(examples))
	res.ExactMatch = float64(exact) / n
	res.MeanEditDistance = float64(edits) / n
	res.EOSRate = float64(eos) / n
	res.Seconds = time.Since(start).Seconds()
	return res, nil
}

// Score verifies one response, given as token ids, against item. A response
// is an exact match only if it ends with EOS and its tokens equal the
// expected ones. The edit distance compares the tokens before EOS.
func (e *Evaluator) Score(item Item, response []int32) Prediction {
	ended := len(response) > 0 && response[len(response)-1] == tokenizer.EOSID
	if ended {
		response = response[:len(response)-1]
	}
	words := e.Tokenizer.Decode(response)
	return Prediction{
		Prompt: item.Text, Response: words, Expected: item.Expected, EOS: ended,
		ExactMatch: ended && slices.Equal(words, item.Expected), EditDistance: scan.EditDistance(words, item.Expected),
	}
}

// SCANItems turns SCAN examples into items whose expected response is the
// interpreter's output for the command, so that a wrong action sequence in
// a data file cannot pass for the truth.
func SCANItems(examples []scan.Example) ([]Item, error) {
	items := make([]Item, len(examples))
	for i, ex := range examples {
		expected, err := scan.Interpret(ex.Command)
		if err != nil {
			return nil, fmt.Errorf("held-out example %d: %w", i, err)
		}
		items[i] = Item{Text: ex.Command, Prompt: ex.CommandWords(), Expected: expected}
	}
	return items, nil
}

// Report is the JSON file written for an evaluation: the result with the
// configuration that produced it, the configuration's hash and the seed.
type Report struct {
	Config     any     `json:"config"`
	ConfigHash string  `json:"config_hash"`
	Seed       uint64  `json:"seed"`
	Checkpoint string  `json:"checkpoint,omitempty"`
	Split      string  `json:"split,omitempty"`
	Decoding   Options `json:"decoding"`
	Result     Result  `json:"result"`
}

// WriteReport writes r to path atomically, filling in the config hash.
func WriteReport(path string, r Report) error {
	hash, err := jsonfile.Hash(r.Config)
	if err != nil {
		return err
	}
	r.ConfigHash = hash
	return jsonfile.Write(path, r)
}
