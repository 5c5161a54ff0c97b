package inflection

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/dprkit/dprkit/dprlib/tokenizer"
)

// SpaceToken is the token of a space inside a lemma or form, such as the
// spaces of the German "laufe ab". Tokens must not contain white space, so
// a space cannot be its own token. Join turns SpaceToken back into a space.
const SpaceToken = "▁"

// specialTokens is the number of tokens that tokenizer.EncodeExample adds
// to a row: <bos>, <sep> and <eos>.
const specialTokens = 3

// Prompt returns the prompt tokens of e: one CharacterToken per character
// (rune) of the lemma, then one FeatureToken per feature. For the lemma
// "stodge" with features V and PST it returns
// ["s" "t" "o" "d" "g" "e" "[V]" "[PST]"].
func (e Example) Prompt() []string {
	tokens := appendCharacters(make([]string, 0, len(e.Lemma)+len(e.Tags)), e.Lemma)
	for _, tag := range e.Tags {
		tokens = append(tokens, FeatureToken(tag))
	}
	return tokens
}

// Response returns the response tokens of e: one CharacterToken per
// character (rune) of the form. Join(e.Response()) == e.Form.
func (e Example) Response() []string {
	return appendCharacters(make([]string, 0, len(e.Form)), e.Form)
}

// SequenceLength returns the number of tokens of e as
// tokenizer.EncodeExample encodes it: the prompt and response tokens plus
// <bos>, <sep> and <eos>.
func (e Example) SequenceLength() int {
	prompt := utf8.RuneCountInString(e.Lemma) + len(e.Tags)
	return prompt + utf8.RuneCountInString(e.Form) + specialTokens
}

// MaxSequenceLength returns the largest SequenceLength of examples, or 0
// when examples is empty. A model's context must be at least this long to
// train on, or score, every example.
func MaxSequenceLength(examples []Example) int {
	longest := 0
	for _, e := range examples {
		longest = max(longest, e.SequenceLength())
	}
	return longest
}

// FeatureToken returns the token of one UniMorph feature, the feature in
// square brackets, such as "[PST]" for PST. It has at least two
// characters and starts with "[", so it never equals a CharacterToken.
func FeatureToken(feature string) string {
	return "[" + feature + "]"
}

// CharacterToken returns the token of one character of a lemma or form:
//
//   - SpaceToken for a space;
//   - "<U+XXXX>", the code point in upper-case hexadecimal with at least
//     four digits, for any other white space or control character and for
//     the character of SpaceToken itself;
//   - the character itself otherwise.
//
// So every token is free of white space, and no two characters share a
// token. The German train-high file contains a no-break space, which
// becomes "<U+00A0>".
func CharacterToken(r rune) string {
	switch {
	case r == ' ':
		return SpaceToken
	case unicode.IsSpace(r) || unicode.IsControl(r) || string(r) == SpaceToken:
		return fmt.Sprintf("<U+%04X>", r)
	}
	return string(r)
}

func appendCharacters(tokens []string, text string) []string {
	for _, r := range text {
		tokens = append(tokens, CharacterToken(r))
	}
	return tokens
}

// Join returns the text of character tokens, the inverse of Response:
// SpaceToken becomes a space, a "<U+XXXX>" token of CharacterToken becomes
// its character, and any other token, such as a FeatureToken or a single
// character, is copied as it is.
func Join(tokens []string) string {
	var text strings.Builder
	for _, token := range tokens {
		if token == SpaceToken {
			text.WriteByte(' ')
			continue
		}
		if r, ok := parseCodePoint(token); ok {
			text.WriteRune(r)
			continue
		}
		text.WriteString(token)
	}
	return text.String()
}

// parseCodePoint returns the character of a "<U+XXXX>" token that
// CharacterToken writes, and false for any other token.
func parseCodePoint(token string) (rune, bool) {
	digits, ok := strings.CutPrefix(token, "<U+")
	if !ok {
		return 0, false
	}
	digits, ok = strings.CutSuffix(digits, ">")
	if !ok {
		return 0, false
	}
	value, err := strconv.ParseUint(digits, 16, 32)
	if err != nil || !utf8.ValidRune(rune(value)) {
		return 0, false
	}
	r := rune(value)
	if CharacterToken(r) != token {
		return 0, false // not the form CharacterToken writes, such as "<U+0061>" or "<U+a0>"
	}
	return r, true
}

// Tokenizer returns a tokenizer whose vocabulary is every prompt and
// response token of the examples in sets, in ascending byte order, so that
// the same examples give the same token ids in any order. Build it from
// every file that will be encoded, test file included, because
// tokenizer.EncodeExample rejects a token outside the vocabulary. It is an
// error when sets hold no example or when a token is invalid, such as a
// feature with white space in a hand-built Example.
func Tokenizer(sets ...[]Example) (*tokenizer.Tokenizer, error) {
	seen := map[string]bool{}
	for _, examples := range sets {
		for _, e := range examples {
			for _, token := range e.Prompt() {
				seen[token] = true
			}
			for _, token := range e.Response() {
				seen[token] = true
			}
		}
	}
	if len(seen) == 0 {
		return nil, errors.New("inflection: Tokenizer needs at least one example; " +
			"pass the examples that Load returns")
	}

	words := make([]string, 0, len(seen))
	for token := range seen {
		words = append(words, token)
	}
	slices.Sort(words)
	tok, err := tokenizer.New(words)
	if err != nil {
		return nil, fmt.Errorf("inflection: %w", err)
	}
	return tok, nil
}
