package main

import (
	"flag"
	"fmt"
	"slices"

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

// loadPolicy reads a checkpoint and checks that it was trained with the
// SCAN tokenizer the commands use.
func loadPolicy(path, role string) (*policy.Model, policy.Metadata, error) {
	m, meta, err := policy.LoadCheckpoint(path)
	if err != nil {
		return nil, meta, fmt.Errorf("%s: %w", role, err)
	}
	if len(meta.Tokenizer) == 0 {
		return m, meta, nil
	}
	tok, err := tokenizer.Parse(meta.Tokenizer, "checkpoint "+path)
	if err != nil {
		return nil, meta, err
	}
	if !slices.Equal(tok.Tokens(), tokenizer.ForSCAN().Tokens()) {
		return nil, meta, fmt.Errorf("%s checkpoint %s was trained with another tokenizer than SCAN's",
			role, path)
	}
	if m.Config.VocabSize != tok.VocabSize() {
		return nil, meta, fmt.Errorf("%s checkpoint %s has %d logits but its tokenizer %d tokens",
			role, path, m.Config.VocabSize, tok.VocabSize())
	}
	return m, meta, nil
}
