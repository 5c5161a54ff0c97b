package policy

import (
	"fmt"

	"github.com/gomlx/gomlx/core/tensors"
)

// Batch is a set of token sequences padded to one length, row-major.
type Batch struct {
	// Tokens holds Rows·Length ids; row r is Tokens[r·Length : (r+1)·Length].
	Tokens []int32
	Rows   int
	Length int
}

// PadSequences packs sequences into a Batch of the given length, filling the tail of
// each row with padID. It returns an error if a sequence is longer than length.
func PadSequences(seqs [][]int32, length int, padID int32) (Batch, error) {
	b := Batch{Tokens: make([]int32, len(seqs)*length), Rows: len(seqs), Length: length}
	for r, s := range seqs {
		if len(s) > length {
			return Batch{}, fmt.Errorf("sequence %d has %d tokens, more than the padded length %d", r, len(s), length)
		}
		row := b.Tokens[r*length : (r+1)*length]
		copy(row, s)
		for i := len(s); i < length; i++ {
			row[i] = padID
		}
	}
	return b, nil
}

// BucketLength returns the padded length used for sequences of up to maxLen
// tokens: maxLen rounded up to a multiple of 8, capped at context. Padding to
// a few fixed lengths keeps the number of compiled graphs small.
func BucketLength(maxLen, context int) int {
	n := (maxLen + 7) / 8 * 8
	if n > context {
		n = context
	}
	if n < 2 {
		n = 2
	}
	return n
}

func (b Batch) tensor() *tensors.Tensor {
	return tensors.FromFlatDataAndDimensions(b.Tokens, b.Rows, b.Length)
}

func (b Batch) check(cfg Config) error {
	if b.Rows < 1 || b.Length < 2 {
		return fmt.Errorf("batch of %d rows × %d tokens is empty: it needs at least 1 row of 2 tokens",
			b.Rows, b.Length)
	}
	if len(b.Tokens) != b.Rows*b.Length {
		return fmt.Errorf("batch holds %d tokens, want rows×length = %d×%d", len(b.Tokens), b.Rows, b.Length)
	}
	if b.Length > cfg.Context {
		return fmt.Errorf("batch length %d exceeds the model context %d", b.Length, cfg.Context)
	}
	for i, id := range b.Tokens {
		if id < 0 || int(id) >= cfg.VocabSize {
			return fmt.Errorf("token id %d at row %d, position %d is outside the vocabulary [0, %d)",
				id, i/b.Length, i%b.Length, cfg.VocabSize)
		}
	}
	return nil
}
