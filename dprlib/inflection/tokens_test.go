package inflection

import (
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/dprkit/dprkit/dprlib/tokenizer"
)

func TestPromptAndResponse(t *testing.T) {
	e := Example{Lemma: "stodge", Form: "stodged", Tags: []string{"V", "V.PTCP", "PST"}}
	wantPrompt := []string{"s", "t", "o", "d", "g", "e", "[V]", "[V.PTCP]", "[PST]"}
	if got := e.Prompt(); !slices.Equal(got, wantPrompt) {
		t.Errorf("Prompt() = %q, want %q", got, wantPrompt)
	}
	wantResponse := []string{"s", "t", "o", "d", "g", "e", "d"}
	if got := e.Response(); !slices.Equal(got, wantResponse) {
		t.Errorf("Response() = %q, want %q", got, wantResponse)
	}
	if got, want := e.SequenceLength(), len(wantPrompt)+len(wantResponse)+3; got != want {
		t.Errorf("SequenceLength() = %d, want %d", got, want)
	}

	// Characters outside ASCII are one token each.
	e = Example{Lemma: "premorir", Form: "premorirán", Tags: []string{"V"}}
	if got := e.Response(); len(got) != 10 || got[8] != "á" {
		t.Errorf("Response() of %q = %q, want 10 tokens with \"á\" at index 8", e.Form, got)
	}
}

// TestFeatureTokenDiffersFromCharacters checks that a feature spelled
// like a character, such as the person feature "1", gets a token of its
// own.
func TestFeatureTokenDiffersFromCharacters(t *testing.T) {
	e := Example{Lemma: "1V", Form: "1", Tags: []string{"1", "V"}}
	prompt := e.Prompt()
	want := []string{"1", "V", "[1]", "[V]"}
	if !slices.Equal(prompt, want) {
		t.Fatalf("Prompt() = %q, want %q", prompt, want)
	}
	seen := map[string]bool{}
	for _, token := range prompt {
		if seen[token] {
			t.Errorf("token %q stands for both a character and a feature in %q", token, prompt)
		}
		seen[token] = true
	}
}

func TestSpaceRoundTrip(t *testing.T) {
	forms := []string{
		"baust auf",
		"zwischen den Zeilen lesen",
		"Aa\u00a0gemacht", // the no-break space of german-train-high
		" leading and trailing ",
		"tab\there, line\nbreak",
		"literal ▁ and <U+00A0> text",
		"ümlaut ß",
	}
	for _, form := range forms {
		tokens := Example{Form: form}.Response()
		for i, token := range tokens {
			if token == "" || strings.IndexFunc(token, unicode.IsSpace) >= 0 {
				t.Errorf("%q: token %d is %q, want a non-empty token without white space",
					form, i, token)
			}
		}
		if got := Join(tokens); got != form {
			t.Errorf("Join(Response()) of %q = %q (tokens %q)", form, got, tokens)
		}
		if _, err := Tokenizer([]Example{{Lemma: form, Form: form, Tags: []string{"V"}}}); err != nil {
			t.Errorf("Tokenizer of %q: %v", form, err)
		}
	}

	if got, want := (Example{Form: "laufe ab"}).Response()[5], SpaceToken; got != want {
		t.Errorf("token of the space in %q = %q, want %q", "laufe ab", got, want)
	}
	if got, want := CharacterToken('\u00a0'), "<U+00A0>"; got != want {
		t.Errorf("CharacterToken(no-break space) = %q, want %q", got, want)
	}
	if got, want := CharacterToken('▁'), "<U+2581>"; got != want {
		t.Errorf("CharacterToken(%q) = %q, want %q", '▁', got, want)
	}
}

func TestJoinCopiesOtherTokens(t *testing.T) {
	tokens := []string{"[PST]", "<U+0061>", "<U+a0>", "<U+D800>", "<U+>", "<pad>", "x"}
	if got, want := Join(tokens), strings.Join(tokens, ""); got != want {
		t.Errorf("Join(%q) = %q, want the tokens unchanged, %q", tokens, got, want)
	}
}

func TestTokenizer(t *testing.T) {
	a := []Example{{Lemma: "walk", Form: "walked", Tags: []string{"V", "PST"}}}
	b := []Example{
		{Lemma: "laufen", Form: "laufe ab", Tags: []string{"V", "IND", "PRS", "1", "SG"}},
		{Lemma: "walk", Form: "walks", Tags: []string{"V", "3", "SG", "PRS"}},
	}
	tok, err := Tokenizer(a, b)
	if err != nil {
		t.Fatalf("Tokenizer: %v", err)
	}
	swapped, err := Tokenizer(b, a)
	if err != nil {
		t.Fatalf("Tokenizer with the sets swapped: %v", err)
	}
	if !slices.Equal(tok.Tokens(), swapped.Tokens()) {
		t.Errorf("vocabulary depends on the order of the sets:\n%q\n%q", tok.Tokens(), swapped.Tokens())
	}

	words := tok.Tokens()[tokenizer.NumSpecial:]
	if !slices.IsSorted(words) {
		t.Errorf("vocabulary words are not sorted: %q", words)
	}
	want := []string{
		"[1]", "[3]", "[IND]", "[PRS]", "[PST]", "[SG]", "[V]",
		"a", "b", "d", "e", "f", "k", "l", "n", "s", "u", "w", "▁",
	}
	if !slices.Equal(words, want) {
		t.Errorf("vocabulary words = %q, want %q", words, want)
	}

	for _, e := range append(a, b...) {
		ids, promptLen, err := tok.EncodeExample(e.Prompt(), e.Response())
		if err != nil {
			t.Errorf("EncodeExample(%+v): %v", e, err)
			continue
		}
		if len(ids) != e.SequenceLength() {
			t.Errorf("%+v: %d ids, SequenceLength() = %d", e, len(ids), e.SequenceLength())
		}
		response := tok.Decode(ids[promptLen : len(ids)-1])
		if got := Join(response); got != e.Form {
			t.Errorf("decoded response %q joins to %q, want %q", response, got, e.Form)
		}
	}
}

func TestTokenizerErrors(t *testing.T) {
	if _, err := Tokenizer(); err == nil || !strings.Contains(err.Error(), "at least one example") {
		t.Errorf("Tokenizer(): error %v, want one that asks for examples", err)
	}
	if _, err := Tokenizer(nil, []Example{}); err == nil {
		t.Error("Tokenizer of empty sets: got no error")
	}
	bad := []Example{{Lemma: "walk", Form: "walked", Tags: []string{"P ST"}}}
	if _, err := Tokenizer(bad); err == nil || !strings.Contains(err.Error(), "[P ST]") {
		t.Errorf("Tokenizer with a feature that contains a space: error %v, want one that names "+
			"\"[P ST]\"", err)
	}
}

func TestMaxSequenceLength(t *testing.T) {
	if got := MaxSequenceLength(nil); got != 0 {
		t.Errorf("MaxSequenceLength(nil) = %d, want 0", got)
	}
	examples := []Example{
		{Lemma: "go", Form: "went", Tags: []string{"V", "PST"}},                // 2+2+4+3
		{Lemma: "aufbauen", Form: "baust auf", Tags: []string{"V", "2", "SG"}}, // 8+3+9+3
		{Lemma: "ab", Form: "a", Tags: []string{"V"}},                          // 2+1+1+3
	}
	if got, want := MaxSequenceLength(examples), 23; got != want {
		t.Errorf("MaxSequenceLength = %d, want %d", got, want)
	}
}

// TestRealVocabularySizes checks the vocabulary sizes, special tokens
// included, of each language's train-medium file alone and together with
// its dev and test files, and that every dev and test row encodes with the
// combined vocabulary.
func TestRealVocabularySizes(t *testing.T) {
	dataDir := realDataDir(t)
	want := map[string][2]int{ // medium alone, medium with dev and test
		"english": {54, 67},
		"german":  {85, 87},
		"spanish": {59, 60},
	}
	for _, language := range Languages() {
		sets := map[string][]Example{}
		for _, part := range []string{"train-medium", "dev", "test"} {
			examples, err := Load(dataDir, language, part)
			if err != nil {
				t.Fatalf("Load(%q, %q): %v", language, part, err)
			}
			sets[part] = examples
		}
		medium, err := Tokenizer(sets["train-medium"])
		if err != nil {
			t.Fatalf("%s: Tokenizer(train-medium): %v", language, err)
		}
		all, err := Tokenizer(sets["train-medium"], sets["dev"], sets["test"])
		if err != nil {
			t.Fatalf("%s: Tokenizer(train-medium, dev, test): %v", language, err)
		}
		if got := [2]int{medium.VocabSize(), all.VocabSize()}; got != want[language] {
			t.Errorf("%s: vocabulary sizes %v, want %v", language, got, want[language])
		}
		for _, part := range []string{"dev", "test"} {
			for _, e := range sets[part] {
				if _, _, err := all.EncodeExample(e.Prompt(), e.Response()); err != nil {
					t.Errorf("%s %s:%d: %v", language, part, e.Line, err)
					break
				}
			}
		}
	}
}
