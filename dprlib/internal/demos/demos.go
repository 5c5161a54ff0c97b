// Package demos turns SCAN examples into the token sequences the policy
// trains on.
package demos

import (
	"fmt"

	"github.com/dprkit/dprkit/dprlib/policy"
	"github.com/dprkit/dprkit/dprlib/scan"
	"github.com/dprkit/dprkit/dprlib/tokenizer"
)

// Encode tokenises each example as "<bos> command <sep> actions <eos>", with
// the prompt ending after <sep>.
func Encode(tok *tokenizer.Tokenizer, examples []scan.Example) ([]policy.Sequence, error) {
	seqs := make([]policy.Sequence, len(examples))
	for i, ex := range examples {
		ids, promptLen, err := tok.EncodeExample(ex.CommandWords(), ex.ActionWords())
		if err != nil {
			return nil, fmt.Errorf("example %d: %w", i, err)
		}
		seqs[i] = policy.Sequence{Tokens: ids, PromptLen: promptLen}
	}
	return seqs, nil
}

// Generated returns the first n training demonstrations of the generated
// split gen-p<percent>, encoded with the SCAN tokenizer.
func Generated(percent, n int) ([]policy.Sequence, error) {
	split, err := scan.GeneratedSplit(percent)
	if err != nil {
		return nil, err
	}
	if n > len(split.Train) {
		return nil, fmt.Errorf("gen-p%d has %d training examples, fewer than the %d requested",
			percent, len(split.Train), n)
	}
	return Encode(tokenizer.ForSCAN(), split.Train[:n])
}
