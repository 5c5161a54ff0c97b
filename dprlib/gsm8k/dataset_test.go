package gsm8k

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dprkit/dprkit/dprlib/datapath"
)

// realDataDir returns the data directory that contains gsm8k/, or skips the
// test with a message that names the folder it looked in.
func realDataDir(t *testing.T) string {
	t.Helper()
	dataDir, err := datapath.Resolve("")
	if err != nil {
		t.Skipf("no data directory: %v", err)
	}
	dir := filepath.Join(dataDir, DataSubdir)
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("GSM8K files not found in %s; set DPR_DATA_DIR or run "+
			"\"dpr data fetch -dataset gsm8k\" to run this test", dir)
	}
	return dataDir
}

// loadReal loads a split from the real data directory, or skips the test
// when the files are not there.
func loadReal(t *testing.T, split string) []Example {
	t.Helper()
	examples, err := Load(realDataDir(t), split)
	if err != nil {
		t.Fatalf("Load(%q): %v", split, err)
	}
	return examples
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
	path := filepath.Join(t.TempDir(), "mini.jsonl")
	content := `{"question": "How many?", "answer": "2+2 = <<2+2=4>>4\n#### 4"}` + "\r\n" +
		"\n" +
		`{"answer": "#### 1", "id": 7, "question": "Why \"one\"?"}` + "\n"
	writeFile(t, path, content)

	got, err := ReadFile(path)
	if err != nil {
		t.Fatalf("ReadFile: %v", err)
	}
	want := []Example{
		{Question: "How many?", Answer: "2+2 = <<2+2=4>>4\n#### 4"},
		{Question: `Why "one"?`, Answer: "#### 1"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("ReadFile = %q, want %q", got, want)
	}
}

func TestReadFileErrors(t *testing.T) {
	const good = `{"question": "q", "answer": "a"}` + "\n"
	tests := []struct {
		name    string
		content string
		want    []string
	}{
		{"invalid JSON", good + `{"question": "q", "answer": }`,
			[]string{":2: invalid JSON at column 29", "JSON object"}},
		{"missing answer", `{"question": "q"}`, []string{":1: missing or null field \"answer\""}},
		{"missing question", good + good + `{"answer": "a"}`,
			[]string{":3: missing or null field \"question\""}},
		{"null question", `{"question": null, "answer": "a"}`,
			[]string{":1: missing or null field \"question\""}},
		{"number answer", `{"question": "q", "answer": 4}`,
			[]string{":1: field \"answer\" is a JSON number, want a string"}},
		{"array line", `["q", "a"]`, []string{":1: invalid line: a JSON array, not an object"}},
		{"trailing data", `{"question": "q", "answer": "a"}  x`,
			[]string{":1: invalid JSON: data after the object at column 35"}},
		{"blank question", `{"question": " ", "answer": "a"}`,
			[]string{":1: field \"question\" is blank"}},
		{"truncated line", `{"question": "q"`, []string{":1: invalid JSON: the line ends inside"}},
		{"no examples", "\n\n", []string{"no examples found"}},
		{"too long", good + strings.Repeat("x", maxLineBytes+1),
			[]string{":2: line longer than 1 MiB"}},
	}
	dir := t.TempDir()
	for _, test := range tests {
		path := filepath.Join(dir, strings.ReplaceAll(test.name, " ", "-")+".jsonl")
		writeFile(t, path, test.content)
		_, err := ReadFile(path)
		if err == nil {
			t.Errorf("%s: ReadFile: got no error", test.name)
			continue
		}
		for _, want := range append([]string{path}, test.want...) {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%s: error %q does not contain %q", test.name, err, want)
			}
		}
	}

	missing := filepath.Join(dir, "missing.jsonl")
	if _, err := ReadFile(missing); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("ReadFile of a missing file: error %v, want one naming %s", err, missing)
	}
}

func TestSplitFile(t *testing.T) {
	tests := []struct{ split, want string }{
		{"train", "gsm8k/train.jsonl"},
		{"test", "gsm8k/test.jsonl"},
		{"validation", ""},
		{"", ""},
	}
	for _, test := range tests {
		if got := SplitFile(test.split); got != test.want {
			t.Errorf("SplitFile(%q) = %q, want %q", test.split, got, test.want)
		}
	}
}

func TestLoadRealData(t *testing.T) {
	tests := []struct {
		split         string
		count         int
		firstQuestion string
	}{
		{"train", 7473, "Natalia sold clips to 48 of her friends in April"},
		{"test", 1319, "Janet’s ducks lay 16 eggs per day"},
	}
	dataDir := realDataDir(t)
	for _, test := range tests {
		examples, err := Load(dataDir, test.split)
		if err != nil {
			t.Errorf("Load(%s, %q): %v", dataDir, test.split, err)
			continue
		}
		if len(examples) != test.count {
			t.Errorf("Load(%q): %d examples, want %d", test.split, len(examples), test.count)
		}
		if !strings.HasPrefix(examples[0].Question, test.firstQuestion) {
			t.Errorf("Load(%q): first question %q, want it to start with %q",
				test.split, examples[0].Question, test.firstQuestion)
		}
	}
}

func TestLoadErrors(t *testing.T) {
	noFolder := t.TempDir()

	emptyFolder := t.TempDir()
	if err := os.Mkdir(filepath.Join(emptyFolder, DataSubdir), 0o755); err != nil {
		t.Fatal(err)
	}

	// A short file fails on its size, before its checksum is computed.
	corrupt := t.TempDir()
	corruptFile := filepath.Join(corrupt, DataSubdir, "train.jsonl")
	writeFile(t, corruptFile, `{"question": "q", "answer": "#### 1"}`+"\n")

	folderIsFile := t.TempDir()
	writeFile(t, filepath.Join(folderIsFile, DataSubdir), "not a folder")

	fix := func(dir string) string {
		return `dpr data fetch -dataset gsm8k -data-dir ` + dir
	}
	tests := []struct {
		name    string
		dataDir string
		split   string
		want    []string
	}{
		{"unknown split", noFolder, "dev", []string{`unknown split "dev"`, "train, test"}},
		{"no data directory", "", "train", []string{"no data directory", "DPR_DATA_DIR"}},
		{"missing folder", noFolder, "train",
			[]string{filepath.Join(noFolder, DataSubdir), "does not exist", fix(noFolder)}},
		{"missing file", emptyFolder, "test",
			[]string{filepath.Join(emptyFolder, DataSubdir, "test.jsonl") + ": missing",
				fix(emptyFolder)}},
		{"corrupt file", corrupt, "train",
			[]string{corruptFile + ": size mismatch", "published SHA-256", fix(corrupt)}},
		{"folder is a file", folderIsFile, "train", []string{"is not a directory"}},
	}
	for _, test := range tests {
		_, err := Load(test.dataDir, test.split)
		if err == nil {
			t.Errorf("%s: Load(%q, %q): got no error", test.name, test.dataDir, test.split)
			continue
		}
		for _, want := range test.want {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%s: error %q does not contain %q", test.name, err, want)
			}
		}
	}
}

// TestLoadRejectsEditedCopy changes one byte of a copy of the real test
// file, so that the size check passes and only the SHA-256 check fails.
func TestLoadRejectsEditedCopy(t *testing.T) {
	original, err := os.ReadFile(filepath.Join(realDataDir(t), DataSubdir, "test.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	edited := slices.Clone(original)
	i := strings.Index(string(edited), "16 eggs")
	if i < 0 {
		t.Fatal(`the test file lacks "16 eggs"`)
	}
	edited[i+1] = '7' // "17 eggs"

	dir := t.TempDir()
	path := filepath.Join(dir, DataSubdir, "test.jsonl")
	writeFile(t, path, string(edited))
	_, err = Load(dir, "test")
	if err == nil {
		t.Fatal("Load of an edited copy: got no error")
	}
	for _, want := range []string{path + ": sha256 mismatch", "dpr data fetch -dataset gsm8k"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
}
