package experiment

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/dprkit/dprkit/data"
	"github.com/dprkit/dprkit/dprlib/eval"
	"github.com/dprkit/dprkit/dprlib/fetch"
	"github.com/dprkit/dprkit/dprlib/inflection"
	"github.com/dprkit/dprkit/dprlib/policy"
	"github.com/dprkit/dprkit/dprlib/scan"
	"github.com/dprkit/dprkit/dprlib/tokenizer"
)

// evalSampleSeed fixes which held-out prompts are scored, so that every
// seed and every variant is measured on the same ones.
const evalSampleSeed = 20910

// InflectionPrefix starts the task names of CoNLL–SIGMORPHON 2017
// inflection: "inflection-english" trains on english-train-medium (1,000
// examples) and scores english-test.
const InflectionPrefix = "inflection-"

// Task is a data set turned into model inputs: demonstrations to train on,
// training prompts for DPR, and held-out prompts with the verifier's
// expected responses.
type Task struct {
	// Name is the SCAN split name or the inflection task name.
	Name string
	// Domain is "scan" or "inflection".
	Domain    string
	Tokenizer *tokenizer.Tokenizer
	// Demos are the tokenised training demonstrations.
	Demos []policy.Sequence
	// Prompts are the training prompts (BOS … SEP), for DPR.
	Prompts [][]int32
	// Train holds the training prompts as items, for comparing scores on
	// prompts DPR trained on with held-out ones.
	Train []eval.Item
	// Eval is the held-out subset that is scored.
	Eval []eval.Item

	// expected maps a prompt's token ids (as a string key) to the response
	// the verifier accepts.
	expected map[string][]string
}

// TaskNames lists the task names LoadTask accepts.
func TaskNames() []string {
	names := scan.SplitNames()
	for _, lang := range inflection.Languages() {
		names = append(names, InflectionPrefix+lang)
	}
	return names
}

// LoadTask reads task name from dataDir (official SCAN files and the
// inflection files live there; generated SCAN splits need none) and
// tokenises it. evalCount > 0 keeps a fixed random subset of the held-out
// prompts.
func LoadTask(dataDir, name string, evalCount int) (*Task, error) {
	var (
		t   *Task
		err error
	)
	if lang, ok := strings.CutPrefix(name, InflectionPrefix); ok {
		t, err = loadInflection(dataDir, name, lang)
	} else {
		t, err = loadSCAN(dataDir, name)
	}
	if err != nil {
		return nil, err
	}
	if len(t.Eval) == 0 {
		return nil, fmt.Errorf("task %q has no held-out prompts to evaluate on: pick one with a test set", name)
	}
	if evalCount > len(t.Eval) {
		return nil, fmt.Errorf("evaluation count %d exceeds the %d held-out prompts of task %q: "+
			"use 0 to score them all", evalCount, len(t.Eval), name)
	}
	if evalCount > 0 {
		t.Eval = sampleItems(t.Eval, evalCount, evalSampleSeed)
	}
	if err := t.index(); err != nil {
		return nil, err
	}
	return t, nil
}

// sampleItems returns n items drawn without replacement with a fixed seed,
// or all of them when n covers the set.
func sampleItems(items []eval.Item, n int, seed uint64) []eval.Item {
	if n >= len(items) {
		return items
	}
	rng := rand.New(rand.NewPCG(seed, uint64(len(items))))
	idx := rng.Perm(len(items))[:n]
	sub := make([]eval.Item, n)
	for i, j := range idx {
		sub[i] = items[j]
	}
	return sub
}

func loadSCAN(dataDir, name string) (*Task, error) {
	split, err := scan.LoadSplit(dataDir, name)
	if err != nil {
		return nil, err
	}
	if err := verifyOfficialFiles(dataDir, name); err != nil {
		return nil, err
	}
	t := &Task{Name: name, Domain: "scan", Tokenizer: tokenizer.ForSCAN()}
	if t.Train, err = eval.SCANItems(split.Train); err != nil {
		return nil, fmt.Errorf("split %q, training %w", name, err)
	}
	if t.Eval, err = eval.SCANItems(split.Test); err != nil {
		return nil, fmt.Errorf("split %q, test %w", name, err)
	}
	return t, t.encodeDemos()
}

func loadInflection(dataDir, name, lang string) (*Task, error) {
	known := false
	for _, l := range inflection.Languages() {
		known = known || l == lang
	}
	if !known {
		return nil, fmt.Errorf("task %q names an unknown language %q: use one of %s", name, lang,
			strings.Join(prefixed(InflectionPrefix, inflection.Languages()), ", "))
	}
	train, err := inflection.Load(dataDir, lang, "train-medium")
	if err != nil {
		return nil, err
	}
	test, err := inflection.Load(dataDir, lang, "test")
	if err != nil {
		return nil, err
	}
	dev, err := inflection.Load(dataDir, lang, "dev")
	if err != nil {
		return nil, err
	}
	// The vocabulary covers every symbol of the language's files, so a
	// held-out form with a character unseen in training is still encodable
	// (the model simply never learned to emit it).
	tok, err := inflection.Tokenizer(train, dev, test)
	if err != nil {
		return nil, err
	}
	t := &Task{Name: name, Domain: "inflection", Tokenizer: tok}
	t.Train = inflectionItems(train)
	t.Eval = inflectionItems(test)
	return t, t.encodeDemos()
}

func inflectionItems(examples []inflection.Example) []eval.Item {
	items := make([]eval.Item, len(examples))
	for i, ex := range examples {
		items[i] = eval.Item{Text: ex.Lemma + " " + strings.Join(ex.Tags, ";"), Prompt: ex.Prompt(),
			Expected: ex.Response()}
	}
	return items
}

func prefixed(prefix string, names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = prefix + n
	}
	return out
}

// encodeDemos tokenises the training items as demonstrations.
func (t *Task) encodeDemos() error {
	t.Demos = make([]policy.Sequence, len(t.Train))
	t.Prompts = make([][]int32, len(t.Train))
	for i, it := range t.Train {
		ids, promptLen, err := t.Tokenizer.EncodeExample(it.Prompt, it.Expected)
		if err != nil {
			return fmt.Errorf("task %q, training example %d (%s): %w", t.Name, i, it.Text, err)
		}
		t.Demos[i] = policy.Sequence{Tokens: ids, PromptLen: promptLen}
		t.Prompts[i] = t.Demos[i].Prompt()
	}
	return nil
}

// index builds the verifier's table from prompt ids to expected responses.
func (t *Task) index() error {
	t.expected = make(map[string][]string, len(t.Train)+len(t.Eval))
	for _, set := range [][]eval.Item{t.Train, t.Eval} {
		for _, it := range set {
			ids, err := t.Tokenizer.EncodePrompt(it.Prompt)
			if err != nil {
				return fmt.Errorf("task %q, prompt %q: %w", t.Name, it.Text, err)
			}
			t.expected[promptKey(ids)] = it.Expected
		}
	}
	return nil
}

func promptKey(ids []int32) string {
	var b strings.Builder
	for _, id := range ids {
		fmt.Fprintf(&b, "%d,", id)
	}
	return b.String()
}

// LongestDemo returns the token count of the longest demonstration.
func (t *Task) LongestDemo() int {
	n := 0
	for _, d := range t.Demos {
		n = max(n, len(d.Tokens))
	}
	return n
}

// LongestPrompt returns the token count, BOS and SEP included, of the
// longest training or held-out prompt.
func (t *Task) LongestPrompt() int {
	n := 0
	for _, set := range [][]eval.Item{t.Train, t.Eval} {
		for _, it := range set {
			n = max(n, len(it.Prompt)+2)
		}
	}
	return n
}

// Expected returns the response the verifier accepts for a prompt (BOS …
// SEP) of the task's training or held-out set.
func (t *Task) Expected(prompt []int32) ([]string, bool) {
	e, ok := t.expected[promptKey(prompt)]
	return e, ok
}

// Verifier returns the task's verifier as a DPR sequence score: 1 when the
// response ends in EOS and its tokens equal the expected response for the
// prompt, else 0. For SCAN the expected response is the interpreter's
// output; for inflection it is the gold form.
func (t *Task) Verifier() func(prompt, response []int32) float64 {
	return func(prompt, response []int32) float64 {
		if len(response) == 0 || response[len(response)-1] != tokenizer.EOSID {
			return 0
		}
		want, ok := t.Expected(prompt)
		if !ok {
			return 0
		}
		got := t.Tokenizer.Decode(response[:len(response)-1])
		if len(got) != len(want) {
			return 0
		}
		for i := range got {
			if got[i] != want[i] {
				return 0
			}
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
