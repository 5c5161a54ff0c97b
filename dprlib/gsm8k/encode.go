package gsm8k

import (
	"cmp"
	"errors"
	"fmt"
	"slices"

	"github.com/dprkit/dprkit/dprlib/policy"
	"github.com/dprkit/dprkit/dprlib/tokenizer"
)

// Vocabulary returns a word list for tokenizer.New: Unknown ("<unk>")
// first, then the maxWords most frequent words of Words over the questions
// and answers of examples, most frequent first, with ties in ascending byte
// order of the words. maxWords 0 keeps every word. The list is the same
// for the same examples in any order. Vocabulary panics if maxWords is
// negative.
func Vocabulary(examples []Example, maxWords int) []string {
	if maxWords < 0 {
		panic(fmt.Sprintf("gsm8k: Vocabulary with maxWords %d; use 0 to keep every word",
			maxWords))
	}
	counts := map[string]int{}
	for _, e := range examples {
		for _, w := range Words(e.Question) {
			counts[w]++
		}
		for _, w := range Words(e.Answer) {
			counts[w]++
		}
	}

	words := make([]string, 0, len(counts))
	for w := range counts {
		words = append(words, w)
	}
	slices.SortFunc(words, func(a, b string) int {
		if byCount := cmp.Compare(counts[b], counts[a]); byCount != 0 {
			return byCount
		}
		return cmp.Compare(a, b)
	})
	if maxWords > 0 && len(words) > maxWords {
		words = words[:maxWords]
	}
	return append([]string{Unknown}, words...)
}

// Encode returns the sequence "<bos> question… <sep> answer… <eos>" of
// each example, in order, with the words of Words and every word that tok
// lacks replaced by Unknown. tok must contain Unknown, as a tokenizer made
// from Vocabulary does.
//
// An example whose sequence would have more than maxTokens tokens, the
// three special tokens included, is left out and counted in skipped.
// maxTokens 0 keeps every example. A negative maxTokens is an error.
func Encode(
	tok *tokenizer.Tokenizer, examples []Example, maxTokens int,
) (sequences []policy.Sequence, skipped int, err error) {
	if tok == nil {
		return nil, 0, errors.New("gsm8k: Encode with a nil tokenizer; build one with " +
			"tokenizer.New(gsm8k.Vocabulary(examples, maxWords))")
	}
	if _, ok := tok.ID(Unknown); !ok {
		return nil, 0, fmt.Errorf("gsm8k: the tokenizer has no %q word for words outside its "+
			"vocabulary; build it with tokenizer.New(gsm8k.Vocabulary(examples, maxWords))",
			Unknown)
	}
	if maxTokens < 0 {
		return nil, 0, fmt.Errorf("gsm8k: maximum sequence length %d is negative; "+
			"use 0 to keep every example", maxTokens)
	}

	const specialTokens = 3 // <bos>, <sep> and <eos>
	for i, e := range examples {
		question := knownWords(tok, Words(e.Question))
		answer := knownWords(tok, Words(e.Answer))
		if maxTokens > 0 && len(question)+len(answer)+specialTokens > maxTokens {
			skipped++
			continue
		}
		ids, promptLen, err := tok.EncodeExample(question, answer)
		if err != nil {
			return nil, 0, fmt.Errorf("gsm8k: example %d (0-based): %w", i, err)
		}
		sequences = append(sequences, policy.Sequence{Tokens: ids, PromptLen: promptLen})
	}
	return sequences, skipped, nil
}

// knownWords replaces, in place, each word that tok lacks with Unknown.
func knownWords(tok *tokenizer.Tokenizer, words []string) []string {
	for i, w := range words {
		if _, ok := tok.ID(w); !ok {
			words[i] = Unknown
		}
	}
	return words
}
