// Package tokenizer maps words to integer token ids for the policy model.
//
// A Tokenizer is word-level: each vocabulary word is one token. The first
// four ids are special tokens, so that a demonstration encodes as
//
//	<bos> prompt… <sep> response… <eos>
//
// and batches are padded with <pad>:
//
//	id 0: <pad>  padding after the end of a sequence
//	id 1: <bos>  beginning of sequence
//	id 2: <sep>  separator between prompt and response
//	id 3: <eos>  end of the response
//
// The vocabulary words follow from id 4 in the order given to New.
package tokenizer

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"unicode"

	"github.com/dprkit/dprkit/dprlib/internal/atomicfile"
	"github.com/dprkit/dprkit/dprlib/scan"
)

// Special tokens and their fixed ids.
const (
	Pad = "<pad>"
	BOS = "<bos>"
	Sep = "<sep>"
	EOS = "<eos>"

	PadID int32 = 0
	BOSID int32 = 1
	SepID int32 = 2
	EOSID int32 = 3
)

// specials lists the special tokens in id order.
var specials = []string{Pad, BOS, Sep, EOS}

// NumSpecial is the number of special tokens, which is also the id of the
// first vocabulary word.
const NumSpecial = 4

// Tokenizer is a word-level vocabulary with the special tokens <pad>,
// <bos>, <sep> and <eos> at ids 0 to 3. It is immutable and safe for
// concurrent use.
type Tokenizer struct {
	tokens []string // tokens[id] is the token with that id
	ids    map[string]int32
}

// New returns a Tokenizer whose vocabulary words are words, with ids from
// NumSpecial upwards in the given order. A word must be non-empty, must not
// contain white space, must not repeat and must not be a special token.
func New(words []string) (*Tokenizer, error) {
	for _, w := range words {
		for id, special := range specials {
			if w == special {
				return nil, fmt.Errorf("tokenizer: word %q is the special token with id %d; "+
					"leave special tokens out of the word list", w, id)
			}
		}
	}
	return fromTokens(append(append([]string{}, specials...), words...))
}

// fromTokens builds a Tokenizer from the full token list, specials included,
// after checking it.
func fromTokens(tokens []string) (*Tokenizer, error) {
	if len(tokens) < NumSpecial {
		return nil, fmt.Errorf("tokenizer: %d tokens, want at least the %d special tokens %s",
			len(tokens), NumSpecial, strings.Join(specials, " "))
	}
	for id, special := range specials {
		if tokens[id] != special {
			return nil, fmt.Errorf("tokenizer: token %d is %q, want %q; the first tokens "+
				"must be %s in this order", id, tokens[id], special, strings.Join(specials, " "))
		}
	}

	ids := make(map[string]int32, len(tokens))
	for id, token := range tokens {
		if token == "" {
			return nil, fmt.Errorf("tokenizer: token %d is empty; remove it", id)
		}
		if strings.IndexFunc(token, unicode.IsSpace) >= 0 {
			return nil, fmt.Errorf("tokenizer: token %d (%q) contains white space; "+
				"a word-level token must be a single word", id, token)
		}
		if previous, ok := ids[token]; ok {
			return nil, fmt.Errorf("tokenizer: duplicate token %q at ids %d and %d; "+
				"remove one of them", token, previous, id)
		}
		ids[token] = int32(id)
	}
	return &Tokenizer{tokens: tokens, ids: ids}, nil
}

// ForSCAN returns the tokenizer for SCAN: the special tokens, then the 13
// command words in alphabetical order at ids 4 to 16, then the 6 action
// tokens in alphabetical order at ids 17 to 22. Its VocabSize is 23.
func ForSCAN() *Tokenizer {
	words := append(scan.CommandWords(), scan.ActionWords()...)
	t, err := New(words)
	if err != nil {
		panic(fmt.Sprintf("tokenizer: invalid SCAN vocabulary: %v", err))
	}
	return t
}

// VocabSize returns the number of tokens, special tokens included. Ids
// range over [0, VocabSize).
func (t *Tokenizer) VocabSize() int {
	return len(t.tokens)
}

// Tokens returns every token in id order, special tokens first.
func (t *Tokenizer) Tokens() []string {
	return append([]string{}, t.tokens...)
}

// ID returns the id of token and whether token is in the vocabulary.
func (t *Tokenizer) ID(token string) (int32, bool) {
	id, ok := t.ids[token]
	return id, ok
}

// Encode returns the ids of words. Special tokens encode to their ids. A
// word outside the vocabulary is an error that names it and its position.
func (t *Tokenizer) Encode(words []string) ([]int32, error) {
	ids, unknown := t.lookup(words)
	if unknown >= 0 {
		return nil, fmt.Errorf("tokenizer: unknown word %q at position %d (0-based) of %q",
			words[unknown], unknown, strings.Join(words, " "))
	}
	return ids, nil
}

// lookup returns the ids of words, or the index of the first word outside
// the vocabulary. The index is -1 when every word is known.
func (t *Tokenizer) lookup(words []string) ([]int32, int) {
	ids := make([]int32, len(words))
	for i, w := range words {
		id, ok := t.ids[w]
		if !ok {
			return nil, i
		}
		ids[i] = id
	}
	return ids, -1
}

// Decode returns the tokens of ids. Special tokens decode to their names,
// and an id outside [0, VocabSize) decodes to "<unk:ID>", a string that is
// no token, so that a bad id never passes for a valid word.
func (t *Tokenizer) Decode(ids []int32) []string {
	words := make([]string, len(ids))
	for i, id := range ids {
		if id >= 0 && int(id) < len(t.tokens) {
			words[i] = t.tokens[id]
		} else {
			words[i] = fmt.Sprintf("<unk:%d>", id)
		}
	}
	return words
}

// EncodePrompt returns the ids of "<bos> prompt… <sep>", the input from
// which a policy generates a response. The prompt must not contain special
// tokens.
func (t *Tokenizer) EncodePrompt(prompt []string) ([]int32, error) {
	body, err := t.encodeWords("prompt", prompt)
	if err != nil {
		return nil, err
	}
	ids := make([]int32, 0, len(body)+2)
	ids = append(ids, BOSID)
	ids = append(ids, body...)
	return append(ids, SepID), nil
}

// EncodeExample returns the ids of "<bos> prompt… <sep> response… <eos>"
// and promptLen, the number of ids up to and including <sep>, so that
// ids[promptLen:] are the response ids followed by <eos>. Neither prompt
// nor response may contain special tokens.
func (t *Tokenizer) EncodeExample(
	prompt, response []string,
) (ids []int32, promptLen int, err error) {
	ids, err = t.EncodePrompt(prompt)
	if err != nil {
		return nil, 0, err
	}
	promptLen = len(ids)
	body, err := t.encodeWords("response", response)
	if err != nil {
		return nil, 0, err
	}
	ids = append(ids, body...)
	return append(ids, EOSID), promptLen, nil
}

// encodeWords encodes the words of one part of an example, "prompt" or
// "response", rejecting unknown words and special tokens.
func (t *Tokenizer) encodeWords(part string, words []string) ([]int32, error) {
	ids, unknown := t.lookup(words)
	if unknown >= 0 {
		return nil, fmt.Errorf("tokenizer: unknown %s word %q at position %d (0-based) of %q",
			part, words[unknown], unknown, strings.Join(words, " "))
	}
	for i, id := range ids {
		if id < NumSpecial {
			return nil, fmt.Errorf("tokenizer: %s word %d (0-based) of %q is the special token "+
				"%q, which the encoder inserts itself; remove it",
				part, i, strings.Join(words, " "), words[i])
		}
	}
	return ids, nil
}

// fileFormat is the JSON form of a Tokenizer: every token in id order.
type fileFormat struct {
	Tokens []string `json:"tokens"`
}

// MarshalJSON encodes the tokenizer as {"tokens": [...]}, every token in id
// order. Checkpoints embed this form.
func (t *Tokenizer) MarshalJSON() ([]byte, error) {
	var buf strings.Builder
	encoder := json.NewEncoder(&buf)
	encoder.SetEscapeHTML(false) // keep "<pad>" readable instead of "\u003cpad\u003e"
	if err := encoder.Encode(fileFormat{Tokens: t.tokens}); err != nil {
		return nil, err
	}
	return []byte(strings.TrimSuffix(buf.String(), "\n")), nil
}

// Save writes the tokenizer to path as JSON, {"tokens": [...]} with every
// token in id order, replacing the file atomically.
func (t *Tokenizer) Save(path string) error {
	err := atomicfile.Write(path, func(w io.Writer) error {
		encoder := json.NewEncoder(w)
		encoder.SetEscapeHTML(false) // keep "<pad>" readable instead of "\u003cpad\u003e"
		encoder.SetIndent("", "  ")
		return encoder.Encode(fileFormat{Tokens: t.tokens})
	})
	if err != nil {
		return fmt.Errorf("tokenizer: save: %w", err)
	}
	return nil
}

// Load reads a tokenizer that Save wrote. The error names the file and the
// problem: a missing file, invalid JSON (with line and column),
// an unknown field, a missing token list, special tokens out of place or a
// duplicate token.
func Load(path string) (*Tokenizer, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("tokenizer: file %s not found; write one with Tokenizer.Save "+
			"or use the built-in SCAN tokenizer", path)
	}
	if err != nil {
		return nil, fmt.Errorf("tokenizer: %w", err)
	}
	return Parse(data, path)
}

// Parse decodes the JSON form written by Save or MarshalJSON. source names
// where the bytes came from (a file or checkpoint) in error messages.
func Parse(data []byte, source string) (*Tokenizer, error) {
	decoder := json.NewDecoder(strings.NewReader(string(data)))
	decoder.DisallowUnknownFields()
	var file fileFormat
	if err := decoder.Decode(&file); err != nil {
		return nil, fmt.Errorf("tokenizer: invalid JSON in %s: %s",
			source, describeJSONError(data, err))
	}
	if _, err := decoder.Token(); err != io.EOF {
		return nil, fmt.Errorf("tokenizer: invalid JSON in %s: data after the top-level object",
			source)
	}
	if file.Tokens == nil {
		return nil, fmt.Errorf(`tokenizer: %s has no "tokens" list; `+
			`expected {"tokens": [%q, %q, %q, %q, ...]}`, source, Pad, BOS, Sep, EOS)
	}
	t, err := fromTokens(file.Tokens)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	return t, nil
}

// describeJSONError adds the line and column of a JSON syntax or type
// error to its message.
func describeJSONError(data []byte, err error) string {
	var offset int64 = -1
	var syntaxErr *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntaxErr):
		offset = syntaxErr.Offset
	case errors.As(err, &typeErr):
		offset = typeErr.Offset
	}
	if offset < 0 || offset > int64(len(data)) {
		return err.Error()
	}
	before := string(data[:offset])
	line := strings.Count(before, "\n") + 1
	column := len(before) - strings.LastIndex(before, "\n")
	return fmt.Sprintf("line %d, column %d: %v", line, column, err)
}
