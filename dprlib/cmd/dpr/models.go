package main

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/dprkit/dprkit/dprlib/policy"
	"github.com/dprkit/dprkit/dprlib/tokenizer"
)

// modelFlags registers the transformer shape flags.
func modelFlags(fs *flag.FlagSet) *policy.Config {
	def := policy.DefaultConfig(0)
	c := &policy.Config{}
	fs.IntVar(&c.Width, "width", def.Width, "model width d_model (units)")
	fs.IntVar(&c.Depth, "depth", def.Depth, "number of transformer blocks")
	fs.IntVar(&c.Heads, "heads", def.Heads, "attention heads; must divide -width")
	fs.IntVar(&c.Context, "context", def.Context, "longest sequence in tokens, prompt and response together")
	fs.IntVar(&c.MLPRatio, "mlp-ratio", def.MLPRatio, "feed-forward hidden width over -width")
	return c
}

// loadPolicy reads a checkpoint and checks that it was trained with want,
// the tokenizer of the task named task.
func loadPolicy(path, role string, want *tokenizer.Tokenizer, task string) (*policy.Model, policy.Metadata, error) {
	m, meta, err := readCheckpoint(path, role)
	if err != nil {
		return nil, meta, err
	}
	if err := checkTokenizer(path, role, m, meta, want, task); err != nil {
		return nil, meta, err
	}
	return m, meta, nil
}

// readCheckpoint reads the checkpoint at path, naming its role in errors.
func readCheckpoint(path, role string) (*policy.Model, policy.Metadata, error) {
	m, meta, err := policy.LoadCheckpoint(path)
	if err != nil {
		return nil, meta, fmt.Errorf("%s: %w", role, err)
	}
	return m, meta, nil
}

// checkTokenizer reports a checkpoint whose stored tokenizer differs from
// want, the tokenizer of the task named task. A checkpoint without a stored
// tokenizer passes.
func checkTokenizer(path, role string, m *policy.Model, meta policy.Metadata, want *tokenizer.Tokenizer,
	task string) error {
	if len(meta.Tokenizer) == 0 {
		return nil
	}
	tok, err := tokenizer.Parse(meta.Tokenizer, "checkpoint "+path)
	if err != nil {
		return err
	}
	if !slices.Equal(tok.Tokens(), want.Tokens()) {
		return fmt.Errorf("%s checkpoint %s was trained with another tokenizer than the one of %s: "+
			"pass the task it was trained on", role, path, task)
	}
	if m.Config.VocabSize != tok.VocabSize() {
		return fmt.Errorf("%s checkpoint %s has %d logits but its tokenizer %d tokens",
			role, path, m.Config.VocabSize, tok.VocabSize())
	}
	return nil
}

// loadReference reads the π_ref checkpoint and checks that it pairs with
// π_SFT: the same shape, and not the same weights.
func loadReference(refPath, sftPath string, sftModel *policy.Model, want *tokenizer.Tokenizer, task string) (
	*policy.Model, error) {
	ref, _, err := loadPolicy(refPath, "π_ref", want, task)
	if err != nil {
		return nil, err
	}
	if ref.Config != sftModel.Config {
		return nil, fmt.Errorf("π_ref checkpoint %s (%v) has another shape than π_SFT checkpoint %s (%v): "+
			"take both from one SFT run", refPath, ref.Config, sftPath, sftModel.Config)
	}
	same, err := policy.SameWeights(ref, sftModel)
	if err != nil {
		return nil, err
	}
	if same {
		return nil, fmt.Errorf("π_ref checkpoint %s contains the same weights as π_SFT checkpoint %s, so the "+
			"dense reward would be 0 everywhere: give an earlier checkpoint of the run", refPath, sftPath)
	}
	return ref, nil
}

// checkEmptyRunDir rejects an output folder that already holds checkpoints
// or logs, so that two runs never mix their files.
func checkEmptyRunDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("output folder %s: %w", dir, err)
	}
	for _, e := range entries {
		name := e.Name()
		if strings.HasSuffix(name, ".ckpt") || strings.HasSuffix(name, "-log.json") {
			return fmt.Errorf("output folder %s already contains a run (%s): choose a new folder, "+
				"or delete the old run first", dir, name)
		}
	}
	return nil
}

// checkOutputFile rejects an output path that is an existing folder.
func checkOutputFile(path string) error {
	if path == "" {
		return nil
	}
	if info, err := os.Stat(path); err == nil && info.IsDir() {
		return fmt.Errorf("output %s is a folder: give a file name such as %s", path,
			filepath.Join(path, "report.json"))
	}
	return nil
}

// checkpointTask returns the task to use with the checkpoint at path, whose
// metadata is meta: the task it records when -split was not given, else
// split. A given split that differs from the recorded one is allowed, for
// scoring on another split, but a note on stderr warns of it, because its
// held-out prompts may include the checkpoint's training prompts.
func checkpointTask(env *environment, path string, meta policy.Metadata, split string, splitSet bool) string {
	switch {
	case meta.Task == "":
		return split
	case !splitSet:
		return meta.Task
	case meta.Task != split:
		fmt.Fprintf(env.stderr, "dpr: note: %s was trained on %s, and -split is %s; the held-out prompts of %s "+
			"may include its training prompts\n", path, meta.Task, split, split)
	}
	return split
}
