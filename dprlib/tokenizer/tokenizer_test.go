package tokenizer

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestForSCAN(t *testing.T) {
	tok := ForSCAN()
	if got, want := tok.VocabSize(), 23; got != want {
		t.Errorf("ForSCAN().VocabSize() = %d, want %d", got, want)
	}
	want := []string{
		"<pad>", "<bos>", "<sep>", "<eos>",
		"after", "and", "around", "jump", "left", "look", "opposite", "right", "run",
		"thrice", "turn", "twice", "walk",
		"I_JUMP", "I_LOOK", "I_RUN", "I_TURN_LEFT", "I_TURN_RIGHT", "I_WALK",
	}
	if got := tok.Tokens(); !slices.Equal(got, want) {
		t.Errorf("ForSCAN().Tokens() = %q, want %q", got, want)
	}
}

func TestSpecialIDs(t *testing.T) {
	tok := ForSCAN()
	tests := []struct {
		token string
		want  int32
	}{
		{Pad, PadID}, {BOS, BOSID}, {Sep, SepID}, {EOS, EOSID},
		{"<pad>", 0}, {"<bos>", 1}, {"<sep>", 2}, {"<eos>", 3},
		{"after", 4}, {"walk", 16}, {"I_JUMP", 17}, {"I_WALK", 22},
	}
	for _, test := range tests {
		got, ok := tok.ID(test.token)
		if !ok {
			t.Errorf("ID(%q): not found", test.token)
			continue
		}
		if got != test.want {
			t.Errorf("ID(%q) = %d, want %d", test.token, got, test.want)
		}
	}
	if _, ok := tok.ID("hop"); ok {
		t.Error(`ID("hop") found a token, want none`)
	}
}

func TestEncodeDecode(t *testing.T) {
	tok := ForSCAN()
	tests := []struct {
		words []string
		want  []int32
	}{
		{[]string{}, []int32{}},
		{[]string{"walk"}, []int32{16}},
		{[]string{"jump", "twice", "after", "walk", "left"}, []int32{7, 15, 4, 16, 8}},
		{[]string{"I_TURN_LEFT", "I_WALK"}, []int32{20, 22}},
		{[]string{"<bos>", "walk", "<sep>", "I_WALK", "<eos>", "<pad>"}, []int32{1, 16, 2, 22, 3, 0}},
	}
	for _, test := range tests {
		got, err := tok.Encode(test.words)
		if err != nil {
			t.Errorf("Encode(%q): %v", test.words, err)
			continue
		}
		if !slices.Equal(got, test.want) {
			t.Errorf("Encode(%q) = %v, want %v", test.words, got, test.want)
		}
		if back := tok.Decode(got); !slices.Equal(back, test.words) {
			t.Errorf("Decode(Encode(%q)) = %q", test.words, back)
		}
	}
}

func TestEncodeUnknownWord(t *testing.T) {
	tok := ForSCAN()
	_, err := tok.Encode([]string{"walk", "hop", "left"})
	if err == nil {
		t.Fatal(`Encode("walk hop left"): got no error`)
	}
	for _, want := range []string{`unknown word "hop"`, "position 1", `"walk hop left"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Encode error = %q, want it to contain %q", err, want)
		}
	}
}

func TestDecodeOutOfRange(t *testing.T) {
	tok := ForSCAN()
	got := tok.Decode([]int32{16, 23, -1, 3})
	want := []string{"walk", "<unk:23>", "<unk:-1>", "<eos>"}
	if !slices.Equal(got, want) {
		t.Errorf("Decode = %q, want %q", got, want)
	}
}

func TestEncodeExample(t *testing.T) {
	tok := ForSCAN()
	tests := []struct {
		prompt, response string
		wantIDs          []int32
		wantPromptLen    int
	}{
		{"walk left", "I_TURN_LEFT I_WALK", []int32{1, 16, 8, 2, 20, 22, 3}, 4},
		{"jump", "I_JUMP", []int32{1, 7, 2, 17, 3}, 3},
		{"turn right", "", []int32{1, 14, 11, 2, 3}, 4},
		{"", "", []int32{1, 2, 3}, 2},
	}
	for _, test := range tests {
		prompt, response := strings.Fields(test.prompt), strings.Fields(test.response)
		ids, promptLen, err := tok.EncodeExample(prompt, response)
		if err != nil {
			t.Errorf("EncodeExample(%q, %q): %v", test.prompt, test.response, err)
			continue
		}
		if !slices.Equal(ids, test.wantIDs) {
			t.Errorf("EncodeExample(%q, %q) ids = %v, want %v",
				test.prompt, test.response, ids, test.wantIDs)
		}
		if promptLen != test.wantPromptLen {
			t.Errorf("EncodeExample(%q, %q) promptLen = %d, want %d",
				test.prompt, test.response, promptLen, test.wantPromptLen)
		}

		promptIDs, err := tok.EncodePrompt(prompt)
		if err != nil {
			t.Errorf("EncodePrompt(%q): %v", test.prompt, err)
			continue
		}
		if !slices.Equal(promptIDs, test.wantIDs[:test.wantPromptLen]) {
			t.Errorf("EncodePrompt(%q) = %v, want %v",
				test.prompt, promptIDs, test.wantIDs[:test.wantPromptLen])
		}
	}
}

func TestEncodeExampleErrors(t *testing.T) {
	tok := ForSCAN()
	tests := []struct {
		name              string
		prompt, response  string
		wantMessageChunks []string
	}{
		{"unknown prompt word", "walk hop", "I_WALK", []string{"prompt", `"hop"`, "position 1"}},
		{"unknown response word", "walk", "I_WALK I_HOP", []string{"response", `"I_HOP"`, "position 1"}},
		{"special in prompt", "<bos> walk", "I_WALK", []string{"prompt", `"<bos>"`, "special"}},
		{"special in response", "walk", "I_WALK <eos>", []string{"response", `"<eos>"`, "special"}},
	}
	for _, test := range tests {
		_, _, err := tok.EncodeExample(strings.Fields(test.prompt), strings.Fields(test.response))
		if err == nil {
			t.Errorf("%s: EncodeExample(%q, %q): got no error", test.name, test.prompt, test.response)
			continue
		}
		for _, chunk := range test.wantMessageChunks {
			if !strings.Contains(err.Error(), chunk) {
				t.Errorf("%s: error = %q, want it to contain %q", test.name, err, chunk)
			}
		}
	}
}

func TestNewErrors(t *testing.T) {
	tests := []struct {
		name        string
		words       []string
		wantMessage string
	}{
		{"duplicate", []string{"a", "b", "a"}, `duplicate token "a" at ids 4 and 6`},
		{"special", []string{"a", "<eos>"}, `word "<eos>" is the special token with id 3`},
		{"empty", []string{"a", ""}, "token 5 is empty"},
		{"white space", []string{"a b"}, `token 4 ("a b") contains white space`},
	}
	for _, test := range tests {
		_, err := New(test.words)
		if err == nil {
			t.Errorf("New(%q): got no error", test.words)
			continue
		}
		if !strings.Contains(err.Error(), test.wantMessage) {
			t.Errorf("%s: New(%q) error = %q, want it to contain %q",
				test.name, test.words, err, test.wantMessage)
		}
	}
}

func TestNewKeepsOrder(t *testing.T) {
	tok, err := New([]string{"zeta", "alpha", "mu"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"<pad>", "<bos>", "<sep>", "<eos>", "zeta", "alpha", "mu"}
	if got := tok.Tokens(); !slices.Equal(got, want) {
		t.Errorf("Tokens() = %q, want %q", got, want)
	}
}

func TestSaveLoad(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "tokenizer.json")
	tok := ForSCAN()
	if err := tok.Save(path); err != nil {
		t.Fatalf("Save(%s): %v", path, err)
	}
	loaded, err := Load(path)
	if err != nil {
		t.Fatalf("Load(%s): %v", path, err)
	}
	if !slices.Equal(loaded.Tokens(), tok.Tokens()) {
		t.Errorf("Load(Save(ForSCAN())).Tokens() = %q, want %q", loaded.Tokens(), tok.Tokens())
	}

	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(data), "{\n  \"tokens\": [\n    \"<pad>\",\n") {
		t.Errorf("saved file starts %q, want an indented {\"tokens\": [...]} object", string(data[:30]))
	}

	// Saving again replaces the file.
	small, err := New([]string{"x"})
	if err != nil {
		t.Fatal(err)
	}
	if err := small.Save(path); err != nil {
		t.Fatal(err)
	}
	reloaded, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := reloaded.VocabSize(); got != 5 {
		t.Errorf("VocabSize after overwriting the file = %d, want 5", got)
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name        string
		content     string // no file is written when content is "-"
		wantMessage string
	}{
		{"missing", "-", "not found"},
		{"syntax", "{\n  \"tokens\": [\"<pad>\",\n  \"<bos>\" \"<sep>\"]\n}", "line 3, column"},
		{"type", `{"tokens": "<pad>"}`, "line 1, column"},
		{
			"unknown field", `{"tokens": ["<pad>", "<bos>", "<sep>", "<eos>"], "vocab": []}`,
			`unknown field "vocab"`,
		},
		{
			"trailing data", `{"tokens": ["<pad>", "<bos>", "<sep>", "<eos>"]} {}`,
			"data after the top-level object",
		},
		{"no tokens", `{}`, `no "tokens" list`},
		{
			"too few tokens", `{"tokens": ["<pad>", "<bos>"]}`,
			"2 tokens, want at least the 4 special tokens",
		},
		{
			"specials out of place", `{"tokens": ["<pad>", "<sep>", "<bos>", "<eos>", "a"]}`,
			`token 1 is "<sep>", want "<bos>"`,
		},
		{
			"special missing", `{"tokens": ["walk", "<pad>", "<bos>", "<sep>", "<eos>"]}`,
			`token 0 is "walk", want "<pad>"`,
		},
		{
			"duplicate", `{"tokens": ["<pad>", "<bos>", "<sep>", "<eos>", "a", "b", "a"]}`,
			`duplicate token "a" at ids 4 and 6`,
		},
		{
			"special repeated", `{"tokens": ["<pad>", "<bos>", "<sep>", "<eos>", "<bos>"]}`,
			`duplicate token "<bos>" at ids 1 and 4`,
		},
	}
	for _, test := range tests {
		path := filepath.Join(dir, test.name+".json")
		if test.content != "-" {
			if err := os.WriteFile(path, []byte(test.content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		_, err := Load(path)
		if err == nil {
			t.Errorf("%s: Load: got no error", test.name)
			continue
		}
		if !strings.Contains(err.Error(), test.wantMessage) {
			t.Errorf("%s: Load error = %q, want it to contain %q", test.name, err, test.wantMessage)
		}
		if !strings.Contains(err.Error(), path) {
			t.Errorf("%s: Load error = %q, want it to name the file", test.name, err)
		}
	}
}

func TestMarshalJSONRoundTrip(t *testing.T) {
	tok := ForSCAN()
	data, err := tok.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"<pad>"`) {
		t.Errorf("JSON %s does not spell <pad> literally", data)
	}
	back, err := Parse(data, "test bytes")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(back.Tokens(), tok.Tokens()) {
		t.Errorf("tokens after round trip = %v, want %v", back.Tokens(), tok.Tokens())
	}
}

func TestParseNamesSource(t *testing.T) {
	_, err := Parse([]byte(`{"tokens": 3}`), "checkpoint x.ckpt")
	if err == nil || !strings.Contains(err.Error(), "checkpoint x.ckpt") {
		t.Errorf("error = %v, want it to name the source", err)
	}
}
