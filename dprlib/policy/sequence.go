package policy

import "fmt"

// Sequence is a tokenised demonstration or sample: a prompt (BOS, prompt
// words, SEP) followed by its response (response words, EOS).
type Sequence struct {
	Tokens []int32
	// PromptLen is the number of leading prompt tokens; Tokens[PromptLen:] is
	// the response.
	PromptLen int
}

// Prompt returns the prompt tokens of s.
func (s Sequence) Prompt() []int32 { return s.Tokens[:s.PromptLen] }

// Response returns the response tokens of s.
func (s Sequence) Response() []int32 { return s.Tokens[s.PromptLen:] }

// Validate reports a sequence that has no prompt or no response.
func (s Sequence) Validate() error {
	if s.PromptLen < 1 || s.PromptLen >= len(s.Tokens) {
		return fmt.Errorf("sequence of %d tokens with prompt length %d: it needs a prompt and a response",
			len(s.Tokens), s.PromptLen)
	}
	return nil
}

// SequenceBatch pads seqs into one Batch (length bucketed by BucketLength) and
// returns, for each transition (r, t), the response mask: 1 where the action
// tokens[r, t+1] belongs to the response of row r, 0 on prompt and padding.
func SequenceBatch(seqs []Sequence, context int, padID int32) (Batch, []float32, error) {
	longest := 0
	raw := make([][]int32, len(seqs))
	for i, s := range seqs {
		if err := s.Validate(); err != nil {
			return Batch{}, nil, fmt.Errorf("sequence %d: %w", i, err)
		}
		if len(s.Tokens) > context {
			return Batch{}, nil, fmt.Errorf("sequence %d has %d tokens, more than the model context %d",
				i, len(s.Tokens), context)
		}
		longest = max(longest, len(s.Tokens))
		raw[i] = s.Tokens
	}
	b, err := PadSequences(raw, BucketLength(longest, context), padID)
	if err != nil {
		return Batch{}, nil, err
	}
	steps := b.Length - 1
	mask := make([]float32, b.Rows*steps)
	for r, s := range seqs {
		// Transition t predicts token t+1, a response token iff t+1 ≥ PromptLen.
		for t := s.PromptLen - 1; t < len(s.Tokens)-1; t++ {
			mask[r*steps+t] = 1
		}
	}
	return b, mask, nil
}

// ResponseValues gathers, for each row, the entries of a flat [Rows, Steps]
// array that belong to that row's response tokens, in order.
func ResponseValues(seqs []Sequence, steps int, flat []float32) [][]float32 {
	out := make([][]float32, len(seqs))
	for r, s := range seqs {
		row := flat[r*steps : (r+1)*steps]
		out[r] = append([]float32(nil), row[s.PromptLen-1:len(s.Tokens)-1]...)
	}
	return out
}
