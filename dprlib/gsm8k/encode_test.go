package gsm8k

import (
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/dprkit/dprkit/dprlib/tokenizer"
)

// tinyExamples have these word counts over questions and answers: "a" 4,
// "." and "b" 3, "2", "4" and "c" 2, and "+", "=" and "d" 1. The
// annotation <<2+2=4>> adds none.
var tinyExamples = []Example{
	{Question: "a b c.", Answer: "a b"},
	{Question: "a b.", Answer: "2+2 = <<2+2=4>>4"},
	{Question: "c d 4", Answer: "a."},
}

func TestVocabulary(t *testing.T) {
	tests := []struct {
		maxWords int
		want     []string
	}{
		{0, []string{Unknown, "a", ".", "b", "2", "4", "c", "+", "=", "d"}},
		{3, []string{Unknown, "a", ".", "b"}},
		{5, []string{Unknown, "a", ".", "b", "2", "4"}},
		{100, []string{Unknown, "a", ".", "b", "2", "4", "c", "+", "=", "d"}},
	}
	for _, test := range tests {
		got := Vocabulary(tinyExamples, test.maxWords)
		if !slices.Equal(got, test.want) {
			t.Errorf("Vocabulary(maxWords %d) = %q, want %q", test.maxWords, got, test.want)
		}
	}
}

func TestVocabularyIgnoresOrder(t *testing.T) {
	reversed := slices.Clone(tinyExamples)
	slices.Reverse(reversed)
	for _, maxWords := range []int{0, 4} {
		forward := Vocabulary(tinyExamples, maxWords)
		backward := Vocabulary(reversed, maxWords)
		if !slices.Equal(forward, backward) {
			t.Errorf("maxWords %d: Vocabulary of reversed examples %q, of the originals %q",
				maxWords, backward, forward)
		}
	}
}

func TestVocabularyMakesTokenizer(t *testing.T) {
	tok, err := tokenizer.New(Vocabulary(tinyExamples, 0))
	if err != nil {
		t.Fatalf("tokenizer.New(Vocabulary): %v", err)
	}
	if id, ok := tok.ID(Unknown); !ok || id != tokenizer.NumSpecial {
		t.Errorf("ID(%q) = %d, %v; want %d, true", Unknown, id, ok, tokenizer.NumSpecial)
	}
}

func TestVocabularyPanicsOnNegativeSize(t *testing.T) {
	defer func() {
		message, _ := recover().(string)
		if !strings.Contains(message, "maxWords -1") {
			t.Errorf("panic message %q, want one naming maxWords -1", message)
		}
	}()
	Vocabulary(tinyExamples, -1)
}

func TestEncode(t *testing.T) {
	tok, err := tokenizer.New(Vocabulary(tinyExamples, 3)) // <unk> a . b
	if err != nil {
		t.Fatal(err)
	}
	id := func(word string) int32 {
		id, ok := tok.ID(word)
		if !ok {
			t.Fatalf("no id for %q", word)
		}
		return id
	}
	unk, a, dot, b := id(Unknown), id("a"), id("."), id("b")
	bos, sep, eos := tokenizer.BOSID, tokenizer.SepID, tokenizer.EOSID

	examples := []Example{
		{Question: "a b c.", Answer: "a b"},        // 4 + 2 + 3 = 9 tokens
		{Question: "a", Answer: "b\n#### 4"},       // 1 + 4 + 3 = 8 tokens
		{Question: "d d d d d d", Answer: "a b c"}, // 6 + 3 + 3 = 12 tokens
	}
	tests := []struct {
		maxTokens   int
		wantTokens  [][]int32
		wantSkipped int
	}{
		{0, [][]int32{
			{bos, a, b, unk, dot, sep, a, b, eos},
			{bos, a, sep, b, unk, unk, unk, eos},
			{bos, unk, unk, unk, unk, unk, unk, sep, a, b, unk, eos},
		}, 0},
		{12, [][]int32{
			{bos, a, b, unk, dot, sep, a, b, eos},
			{bos, a, sep, b, unk, unk, unk, eos},
			{bos, unk, unk, unk, unk, unk, unk, sep, a, b, unk, eos},
		}, 0},
		{11, [][]int32{
			{bos, a, b, unk, dot, sep, a, b, eos},
			{bos, a, sep, b, unk, unk, unk, eos},
		}, 1},
		{9, [][]int32{
			{bos, a, b, unk, dot, sep, a, b, eos},
			{bos, a, sep, b, unk, unk, unk, eos},
		}, 1},
		{8, [][]int32{
			{bos, a, sep, b, unk, unk, unk, eos},
		}, 2},
		{3, nil, 3},
	}
	for _, test := range tests {
		sequences, skipped, err := Encode(tok, examples, test.maxTokens)
		if err != nil {
			t.Errorf("maxTokens %d: Encode: %v", test.maxTokens, err)
			continue
		}
		if skipped != test.wantSkipped {
			t.Errorf("maxTokens %d: skipped %d, want %d", test.maxTokens, skipped, test.wantSkipped)
		}
		if len(sequences) != len(test.wantTokens) {
			t.Errorf("maxTokens %d: %d sequences, want %d",
				test.maxTokens, len(sequences), len(test.wantTokens))
			continue
		}
		for i, s := range sequences {
			if !slices.Equal(s.Tokens, test.wantTokens[i]) {
				t.Errorf("maxTokens %d, sequence %d: tokens %v, want %v",
					test.maxTokens, i, s.Tokens, test.wantTokens[i])
			}
			if wantPromptLen := slices.Index(test.wantTokens[i], sep) + 1; s.PromptLen != wantPromptLen {
				t.Errorf("maxTokens %d, sequence %d: PromptLen %d, want %d",
					test.maxTokens, i, s.PromptLen, wantPromptLen)
			}
			if err := s.Validate(); err != nil {
				t.Errorf("maxTokens %d, sequence %d: %v", test.maxTokens, i, err)
			}
		}
	}
}

func TestEncodeErrors(t *testing.T) {
	withUnknown, err := tokenizer.New(Vocabulary(tinyExamples, 0))
	if err != nil {
		t.Fatal(err)
	}
	withoutUnknown, err := tokenizer.New([]string{"a", "b"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		tok       *tokenizer.Tokenizer
		maxTokens int
		want      string
	}{
		{"nil tokenizer", nil, 0, "nil tokenizer"},
		{"no unknown word", withoutUnknown, 0, `no "<unk>" word`},
		{"negative length", withUnknown, -5, "maximum sequence length -5 is negative"},
	}
	for _, test := range tests {
		_, _, err := Encode(test.tok, tinyExamples, test.maxTokens)
		if err == nil {
			t.Errorf("%s: Encode: got no error", test.name)
			continue
		}
		if !strings.Contains(err.Error(), test.want) {
			t.Errorf("%s: error %q does not contain %q", test.name, err, test.want)
		}
	}
}

// TestEncodeRealData builds a 2,000-word vocabulary on the training file
// and encodes both splits with it.
func TestEncodeRealData(t *testing.T) {
	train := loadReal(t, "train")
	test := loadReal(t, "test")
	tok, err := tokenizer.New(Vocabulary(train, 2000))
	if err != nil {
		t.Fatalf("tokenizer.New(Vocabulary(train, 2000)): %v", err)
	}
	if got, want := tok.VocabSize(), tokenizer.NumSpecial+1+2000; got != want {
		t.Errorf("VocabSize = %d, want %d", got, want)
	}
	for _, split := range []struct {
		name     string
		examples []Example
	}{{"train", train}, {"test", test}} {
		all, skipped, err := Encode(tok, split.examples, 0)
		if err != nil {
			t.Fatalf("%s: Encode: %v", split.name, err)
		}
		if skipped != 0 || len(all) != len(split.examples) {
			t.Errorf("%s: Encode with no limit kept %d of %d examples, skipped %d",
				split.name, len(all), len(split.examples), skipped)
		}

		lengths := make([]int, len(all))
		for i, s := range all {
			lengths[i] = len(s.Tokens)
		}
		sort.Ints(lengths)
		median := lengths[len(lengths)/2]
		kept, skipped, err := Encode(tok, split.examples, median)
		if err != nil {
			t.Fatalf("%s: Encode(maxTokens %d): %v", split.name, median, err)
		}
		if len(kept)+skipped != len(split.examples) {
			t.Errorf("%s: %d kept plus %d skipped, want %d examples",
				split.name, len(kept), skipped, len(split.examples))
		}
		if len(kept) < len(split.examples)/2 {
			t.Errorf("%s: the median length %d kept only %d of %d examples",
				split.name, median, len(kept), len(split.examples))
		}
		for _, s := range kept {
			if len(s.Tokens) > median {
				t.Fatalf("%s: a kept sequence has %d tokens, more than %d",
					split.name, len(s.Tokens), median)
			}
		}
	}
}
