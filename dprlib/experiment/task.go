package experiment

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/dprkit/dprkit/data"
	"github.com/dprkit/dprkit/dprlib/fetch"
	"github.com/dprkit/dprkit/dprlib/internal/demos"
	"github.com/dprkit/dprkit/dprlib/policy"
	"github.com/dprkit/dprkit/dprlib/scan"
	"github.com/dprkit/dprkit/dprlib/tokenizer"
)

// evalSampleSeed fixes which held-out commands are scored, so that every
// seed and every variant is measured on the same ones.
const evalSampleSeed = 20910

// Task is a SCAN split turned into model inputs.
type Task struct {
	Split     scan.Split
	Tokenizer *tokenizer.Tokenizer
	// Demos are the tokenised training demonstrations.
	Demos []policy.Sequence
	// Prompts are the training commands as prompts (BOS … SEP), for DPR.
	Prompts [][]int32
	// Eval is the held-out subset that is scored.
	Eval []scan.Example
}

// LoadTask reads split name (from dataDir for the official files) and
// tokenises it. evalCount > 0 keeps a fixed random subset of the test set.
func LoadTask(dataDir, name string, evalCount int) (*Task, error) {
	split, err := scan.LoadSplit(dataDir, name)
	if err != nil {
		return nil, err
	}
	if err := verifyOfficialFiles(dataDir, name); err != nil {
		return nil, err
	}
	if len(split.Test) == 0 {
		return nil, fmt.Errorf("split %q has no held-out commands to evaluate on: pick a split with a test set",
			name)
	}
	tok := tokenizer.ForSCAN()
	t := &Task{Split: split, Tokenizer: tok}
	if t.Demos, err = demos.Encode(tok, split.Train); err != nil {
		return nil, fmt.Errorf("split %q, training %w", name, err)
	}
	for _, d := range t.Demos {
		t.Prompts = append(t.Prompts, d.Prompt())
	}
	if evalCount > len(split.Test) {
		return nil, fmt.Errorf("evaluation count %d exceeds the %d held-out commands of split %q: "+
			"use 0 to score them all", evalCount, len(split.Test), name)
	}
	t.Eval = split.Test
	if evalCount > 0 && evalCount < len(split.Test) {
		rng := rand.New(rand.NewPCG(evalSampleSeed, uint64(len(split.Test))))
		idx := rng.Perm(len(split.Test))[:evalCount]
		t.Eval = make([]scan.Example, evalCount)
		for i, j := range idx {
			t.Eval[i] = split.Test[j]
		}
	}
	return t, nil
}

// LongestDemo returns the token count of the longest demonstration.
func (t *Task) LongestDemo() int {
	n := 0
	for _, d := range t.Demos {
		n = max(n, len(d.Tokens))
	}
	return n
}

// Verifier returns the SCAN verifier as a DPR sequence score: 1 when the
// response (ending in EOS) equals the interpreter's output for the prompt's
// command, else 0.
func (t *Task) Verifier() func(prompt, response []int32) float64 {
	return func(prompt, response []int32) float64 {
		if len(prompt) < 2 || len(response) == 0 || response[len(response)-1] != tokenizer.EOSID {
			return 0
		}
		command := strings.Join(t.Tokenizer.Decode(prompt[1:len(prompt)-1]), " ")
		v, err := scan.Verify(command, t.Tokenizer.Decode(response[:len(response)-1]))
		if err != nil || !v.ExactMatch {
			return 0
		}
		return 1
	}
}

// verifyOfficialFiles checks the files of an official split against the
// embedded manifest, so that an edited or damaged copy cannot pass for SCAN.
func verifyOfficialFiles(dataDir, split string) error {
	files := scan.SplitFiles(split)
	if len(files) == 0 {
		return nil
	}
	manifest, err := fetch.ParseManifest(data.SCANManifest)
	if err != nil {
		return err
	}
	if err := fetch.VerifyFiles(dataDir, manifest, files); err != nil {
		return fmt.Errorf("split %q: %w\nthe official files must match their published SHA-256; "+
			"run \"dpr data fetch -data-dir %s\" to replace them", split, err, dataDir)
	}
	return nil
}
