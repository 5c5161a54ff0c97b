package scan

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestParseLine(t *testing.T) {
	tests := []struct {
		line string
		want Example
	}{
		{
			"IN: walk left OUT: I_TURN_LEFT I_WALK",
			Example{"walk left", "I_TURN_LEFT I_WALK"},
		},
		{
			"IN: jump twice after walk left OUT: I_TURN_LEFT I_WALK I_JUMP I_JUMP\n",
			Example{"jump twice after walk left", "I_TURN_LEFT I_WALK I_JUMP I_JUMP"},
		},
		{
			"IN: turn  left OUT:  I_TURN_LEFT \r\n",
			Example{"turn left", "I_TURN_LEFT"},
		},
	}
	for _, test := range tests {
		got, err := ParseLine(test.line)
		if err != nil {
			t.Errorf("ParseLine(%q): %v", test.line, err)
			continue
		}
		if got != test.want {
			t.Errorf("ParseLine(%q) = %+v, want %+v", test.line, got, test.want)
		}
	}
}

func TestParseLineErrors(t *testing.T) {
	tests := []struct {
		line        string
		wantMessage string
	}{
		{"walk OUT: I_WALK", `does not start with "IN: "`},
		{"IN: walk I_WALK", `has no " OUT: " separator`},
		{"IN: walk OUT:I_WALK", `has no " OUT: " separator`},
		{"IN:  OUT: I_WALK", "empty command"},
		{"IN: walk OUT: ", `no actions after "OUT:"`},
		{"IN: walk OUT:    ", `no actions after "OUT:"`},
	}
	for _, test := range tests {
		got, err := ParseLine(test.line)
		if err == nil {
			t.Errorf("ParseLine(%q) = %+v, want an error", test.line, got)
			continue
		}
		if !strings.Contains(err.Error(), test.wantMessage) {
			t.Errorf("ParseLine(%q) error = %q, want it to contain %q",
				test.line, err, test.wantMessage)
		}
		if !strings.Contains(err.Error(), `"IN: <command> OUT: <actions>"`) {
			t.Errorf("ParseLine(%q) error = %q, want it to show the expected format", test.line, err)
		}
	}
}

func TestParseLineShortensLongText(t *testing.T) {
	line := "IN: " + strings.Repeat("walk ", 100)
	_, err := ParseLine(line)
	if err == nil {
		t.Fatal("ParseLine of a long line without OUT: got no error")
	}
	if strings.Contains(err.Error(), line) {
		t.Errorf("ParseLine error quotes the whole %d-byte line; want an excerpt", len(line))
	}
	if !strings.Contains(err.Error(), "…") {
		t.Errorf("ParseLine error = %q, want an ellipsis after the excerpt", err)
	}
}

func TestExampleWords(t *testing.T) {
	e := Example{Command: "jump twice", Actions: "I_JUMP I_JUMP"}
	if got, want := e.CommandWords(), []string{"jump", "twice"}; !slices.Equal(got, want) {
		t.Errorf("CommandWords() = %q, want %q", got, want)
	}
	if got, want := e.ActionWords(), []string{"I_JUMP", "I_JUMP"}; !slices.Equal(got, want) {
		t.Errorf("ActionWords() = %q, want %q", got, want)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestReadFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tasks.txt")
	writeFile(t, path, "IN: walk OUT: I_WALK\n"+
		"\n"+
		"IN: turn left OUT: I_TURN_LEFT\r\n"+
		"IN: run twice OUT: I_RUN I_RUN")

	got, err := ReadFile(path)
	if err != nil {
		t.Fatalf("ReadFile(%s): %v", path, err)
	}
	want := []Example{
		{"walk", "I_WALK"},
		{"turn left", "I_TURN_LEFT"},
		{"run twice", "I_RUN I_RUN"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("ReadFile(%s) = %+v, want %+v", path, got, want)
	}
}

func TestReadFileErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name         string
		content      string // no file is written when content is "-"
		wantMessages []string
	}{
		{
			name:    "missing separator",
			content: "IN: walk OUT: I_WALK\nIN: run OUT: I_RUN\nIN: jump I_JUMP\n",
			wantMessages: []string{
				"missing separator.txt:3:", `"IN: jump I_JUMP"`, `" OUT: "`,
			},
		},
		{
			name:         "missing prefix",
			content:      "\nwalk OUT: I_WALK\n",
			wantMessages: []string{"missing prefix.txt:2:", `"walk OUT: I_WALK"`, `"IN: "`},
		},
		{
			name:         "empty file",
			content:      "\n\n",
			wantMessages: []string{"empty file.txt: no examples found"},
		},
		{
			name:         "no such file",
			content:      "-",
			wantMessages: []string{"no such file.txt", "no such file or directory"},
		},
	}
	for _, test := range tests {
		path := filepath.Join(dir, test.name+".txt")
		if test.content != "-" {
			writeFile(t, path, test.content)
		}
		got, err := ReadFile(path)
		if err == nil {
			t.Errorf("ReadFile(%s) = %d examples, want an error", test.name, len(got))
			continue
		}
		for _, message := range test.wantMessages {
			if !strings.Contains(err.Error(), message) {
				t.Errorf("ReadFile(%s) error = %q, want it to contain %q", test.name, err, message)
			}
		}
	}
}
