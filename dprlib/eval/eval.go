// Package eval scores a policy on held-out SCAN commands with the SCAN
// interpreter as the verifier: exact match of the whole action sequence, and
// token-level edit distance as partial credit.
package eval

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/dprkit/dprkit/dprlib/device"
	"github.com/dprkit/dprkit/dprlib/internal/jsonfile"
	"github.com/dprkit/dprkit/dprlib/policy"
	"github.com/dprkit/dprkit/dprlib/scan"
	"github.com/dprkit/dprkit/dprlib/tokenizer"
)

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
	Command  string   `json:"command"`
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

// Evaluate decodes a response for every example's command under m and
// verifies it. The examples' own actions are not used: the verifier
// recomputes the expected output from the command.
func (e *Evaluator) Evaluate(ctx context.Context, m *policy.Model, examples []scan.Example, opts Options) (
	Result, error) {
	if opts.BatchSize < 1 {
		return Result{}, fmt.Errorf("evaluation batch size %d is invalid: it must be at least 1", opts.BatchSize)
	}
	if len(examples) == 0 {
		return Result{}, fmt.Errorf("no held-out examples to evaluate: the test split is empty")
	}
	need := m.Config.SamplingBytes(opts.BatchSize)
	if err := policy.CheckMemory(need, device.TotalMemory(),
		fmt.Sprintf("decoding %d commands at once", opts.BatchSize), "lower the evaluation batch size"); err != nil {
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
			return Result{}, fmt.Errorf("evaluation stopped after %d of %d commands: %w", lo, len(examples), err)
		}
		part := examples[lo:min(lo+opts.BatchSize, len(examples))]
		prompts := make([][]int32, len(part))
		for i, ex := range part {
			p, err := e.Tokenizer.EncodePrompt(ex.CommandWords())
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
			p, err := e.Score(part[i].Command, ids)
			if err != nil {
				return Result{}, fmt.Errorf("verify held-out example %d: %w", lo+i, err)
			}
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

// Score verifies one response, given as token ids, to command. A response
// is an exact match only if it ends with EOS and its words equal the
// interpreter's output. The edit distance compares the words before EOS.
func (e *Evaluator) Score(command string, response []int32) (Prediction, error) {
	ended := len(response) > 0 && response[len(response)-1] == tokenizer.EOSID
	if ended {
		response = response[:len(response)-1]
	}
	words := e.Tokenizer.Decode(response)
	verdict, err := scan.Verify(command, words)
	if err != nil {
		return Prediction{}, err
	}
	return Prediction{
		Command: command, Response: words, Expected: verdict.Expected, EOS: ended,
		ExactMatch: verdict.ExactMatch && ended, EditDistance: verdict.EditDistance,
	}, nil
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
