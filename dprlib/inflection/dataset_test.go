package inflection

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dprkit/dprkit/dprlib/datapath"
)

// realDataDir returns the data directory that contains
// sigmorphon2017_inflection/, or skips the test with a message that names
// the folder it looked in.
func realDataDir(t *testing.T) string {
	t.Helper()
	dataDir, err := datapath.Resolve("")
	if err != nil {
		t.Skipf("no data directory: %v", err)
	}
	dir := filepath.Join(dataDir, DataSubdir)
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("CoNLL-SIGMORPHON 2017 files not found in %s; set DPR_DATA_DIR or run "+
			"\"dpr data fetch -dataset sigmorphon2017\" to run this test", dir)
	}
	return dataDir
}

// loadReal loads one file from the real data directory, or skips the test
// when the files are not there.
func loadReal(t *testing.T, language, part string) []Example {
	t.Helper()
	examples, err := Load(realDataDir(t), language, part)
	if err != nil {
		t.Fatalf("Load(%q, %q): %v", language, part, err)
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
	path := filepath.Join(t.TempDir(), "mini")
	content := "stodge\tstodged\tV;PST\r\n" +
		"\n" +
		"aufbauen\tbaust auf\tV;IND;PRS;2;SG\n" +
		"premorir\tpremorirán\tV;IND;FUT;3;PL" // no final line break
	writeFile(t, path, content)

	got, err := ReadFile(path)
	if err != nil {
		t.Fatalf("ReadFile: %v", err)
	}
	want := []Example{
		{Lemma: "stodge", Form: "stodged", Tags: []string{"V", "PST"}, Line: 1},
		{Lemma: "aufbauen", Form: "baust auf", Tags: []string{"V", "IND", "PRS", "2", "SG"}, Line: 3},
		{Lemma: "premorir", Form: "premorirán", Tags: []string{"V", "IND", "FUT", "3", "PL"}, Line: 4},
	}
	if len(got) != len(want) {
		t.Fatalf("ReadFile returned %d examples, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if got[i].Lemma != want[i].Lemma || got[i].Form != want[i].Form ||
			!slices.Equal(got[i].Tags, want[i].Tags) || got[i].Line != want[i].Line {
			t.Errorf("example %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestReadFileErrors(t *testing.T) {
	cases := []struct {
		name    string
		content string
		// want are substrings of the error after the file name.
		want []string
	}{
		{"two fields", "stodge\tstodged\tV;PST\nwalk\twalked\n",
			[]string{":2:", `"walk\twalked"`, "2 tab-separated fields, want 3"}},
		{"four fields", "walk\twalked\tV;PST\tx\n",
			[]string{":1:", "4 tab-separated fields, want 3"}},
		{"blank lemma", "stodge\tstodged\tV;PST\n\n \twalked\tV;PST\n",
			[]string{":3:", `" \twalked\tV;PST"`, "blank lemma"}},
		{"blank form", "walk\t\tV;PST\n", []string{":1:", "blank form"}},
		{"empty feature", "walk\twalked\tV;;PST\n",
			[]string{":1:", `"V;;PST"`, "empty feature at position 2"}},
		{"empty bundle", "walk\twalked\t\n", []string{":1:", `bundle ""`, "empty feature"}},
		{"feature with bracket", "walk\twalked\tV;[PST]\n",
			[]string{":1:", `feature "[PST]"`, `bundle "V;[PST]"`}},
		{"feature with space", "walk\twalked\tV;P ST\n", []string{":1:", `feature "P ST"`}},
		{"invalid UTF-8", "walk\twalked\tV;PST\nw\xffalk\twalked\tV;PST\n",
			[]string{":2:", `"w\xffalk`, "not valid UTF-8"}},
		{"no examples", "\n\n", []string{"no examples found"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "bad")
			writeFile(t, path, c.content)
			_, err := ReadFile(path)
			if err == nil {
				t.Fatalf("ReadFile(%q): got no error", c.content)
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name the file %s", err, path)
			}
			for _, want := range c.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
		})
	}
}

func TestReadFileMissing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "absent")
	if _, err := ReadFile(path); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("ReadFile of a missing file: error %v, want one that names %s", err, path)
	}
}

func TestFile(t *testing.T) {
	if got, want := File("english", "dev"), "sigmorphon2017_inflection/english/english-dev"; got != want {
		t.Errorf("File(english, dev) = %q, want %q", got, want)
	}
	if got, want := File("spanish", "test"), "sigmorphon2017_inflection/spanish/spanish-test"; got != want {
		t.Errorf("File(spanish, test) = %q, want %q", got, want)
	}
	for _, c := range [][2]string{{"french", "dev"}, {"english", "train"}, {"", ""}} {
		if got := File(c[0], c[1]); got != "" {
			t.Errorf("File(%q, %q) = %q, want \"\"", c[0], c[1], got)
		}
	}
}

func TestLoadUnknownNames(t *testing.T) {
	dir := t.TempDir()
	_, err := Load(dir, "french", "dev")
	if err == nil || !strings.Contains(err.Error(), `unknown language "french"`) ||
		!strings.Contains(err.Error(), "english, german, spanish") {
		t.Errorf("Load(french): error %v, want one that names french and the valid languages", err)
	}
	_, err = Load(dir, "english", "train")
	if err == nil || !strings.Contains(err.Error(), `unknown part "train"`) ||
		!strings.Contains(err.Error(), "train-high, train-medium, train-low, dev, test") {
		t.Errorf("Load(train): error %v, want one that names train and the valid parts", err)
	}
}

func TestLoadMissingFiles(t *testing.T) {
	dir := t.TempDir()
	_, err := Load(dir, "english", "dev")
	if err == nil {
		t.Fatal("Load from an empty folder: got no error")
	}
	for _, want := range []string{
		filepath.Join(dir, DataSubdir) + " but it does not exist",
		"dpr data fetch -dataset sigmorphon2017 -data-dir " + dir,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}

	// The folder exists but the file does not.
	if err := os.MkdirAll(filepath.Join(dir, DataSubdir, "english"), 0o755); err != nil {
		t.Fatal(err)
	}
	_, err = Load(dir, "english", "dev")
	if err == nil {
		t.Fatal("Load without the file: got no error")
	}
	for _, want := range []string{
		filepath.Join(dir, DataSubdir, "english", "english-dev") + ": missing",
		"dpr data fetch -dataset sigmorphon2017 -data-dir " + dir,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}

	if _, err := Load("", "english", "dev"); err == nil ||
		!strings.Contains(err.Error(), "no data directory was given") {
		t.Errorf(`Load(""): error %v, want one that says no data directory was given`, err)
	}
}

// TestLoadRejectsOtherFile checks that a well-formed file that is not the
// published one is rejected before it is parsed.
func TestLoadRejectsOtherFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, DataSubdir, "english", "english-dev")
	writeFile(t, path, "stodge\tstodged\tV;PST\n")
	if _, err := ReadFile(path); err != nil {
		t.Fatalf("ReadFile of the stand-in file: %v", err)
	}

	_, err := Load(dir, "english", "dev")
	if err == nil {
		t.Fatal("Load of a file that differs from the manifest: got no error")
	}
	for _, want := range []string{
		path, "size mismatch", "dpr data fetch -dataset sigmorphon2017 -data-dir " + dir,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
}

// TestLoadRejectsChangedByte copies a published file, changes one byte
// without changing the size, and checks that Load rejects the copy by its
// SHA-256.
func TestLoadRejectsChangedByte(t *testing.T) {
	realDir := realDataDir(t)
	file := filepath.FromSlash(File("english", "train-low"))
	content, err := os.ReadFile(filepath.Join(realDir, file))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, file)
	writeFile(t, path, string(content))
	if _, err := Load(dir, "english", "train-low"); err != nil {
		t.Fatalf("Load of an unchanged copy: %v", err)
	}

	content[len(content)/2] ^= 0x01
	writeFile(t, path, string(content))
	_, err = Load(dir, "english", "train-low")
	if err == nil {
		t.Fatal("Load of a copy with one changed byte: got no error")
	}
	for _, want := range []string{
		path, "sha256 mismatch", "dpr data fetch -dataset sigmorphon2017 -data-dir " + dir,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
}

func TestLoadRealEnglish(t *testing.T) {
	cases := []struct {
		part  string
		first Example
	}{
		{"train-medium",
			Example{Lemma: "malinvest", Form: "malinvest", Tags: []string{"V", "NFIN"}, Line: 1}},
		{"test", Example{Lemma: "enwind", Form: "enwound", Tags: []string{"V", "PST"}, Line: 1}},
	}
	for _, c := range cases {
		examples := loadReal(t, "english", c.part)
		if len(examples) != 1000 {
			t.Errorf("english %s: %d examples, want 1000", c.part, len(examples))
			continue
		}
		first := examples[0]
		if first.Lemma != c.first.Lemma || first.Form != c.first.Form ||
			!slices.Equal(first.Tags, c.first.Tags) || first.Line != 1 {
			t.Errorf("english %s: first example %+v, want %+v", c.part, first, c.first)
		}
		for i, e := range examples {
			if e.Line != i+1 {
				t.Errorf("english %s: example %d has Line %d, want %d", c.part, i, e.Line, i+1)
				break
			}
			if Join(e.Response()) != e.Form {
				t.Errorf("english %s:%d: Join(Response()) = %q, want %q",
					c.part, e.Line, Join(e.Response()), e.Form)
			}
		}
	}
}

// TestMaxSequenceLengthOfRealFiles loads every published file and checks
// the row counts, the maximum sequence lengths and the number of rows
// longer than the default context of 64 tokens that the package
// documentation lists.
func TestMaxSequenceLengthOfRealFiles(t *testing.T) {
	dataDir := realDataDir(t)
	// Maximum sequence lengths in the order of Parts: train-high,
	// train-medium, train-low, dev, test.
	want := map[string][]int{
		"english": {46, 43, 38, 40, 44},
		"german":  {96, 63, 44, 58, 95},
		"spanish": {45, 45, 42, 43, 45},
	}
	rows := []int{10000, 1000, 100, 1000, 1000}
	const context = 64
	wantLonger := map[string][]int{ // rows longer than context, in the order of Parts
		"english": {0, 0, 0, 0, 0},
		"german":  {9, 0, 0, 0, 3},
		"spanish": {0, 0, 0, 0, 0},
	}
	for _, language := range Languages() {
		for i, part := range Parts() {
			examples, err := Load(dataDir, language, part)
			if err != nil {
				t.Errorf("Load(%q, %q): %v", language, part, err)
				continue
			}
			if len(examples) != rows[i] {
				t.Errorf("%s %s: %d examples, want %d", language, part, len(examples), rows[i])
			}
			if got := MaxSequenceLength(examples); got != want[language][i] {
				t.Errorf("%s %s: MaxSequenceLength = %d, want %d", language, part, got,
					want[language][i])
			}
			longer := 0
			for _, e := range examples {
				if e.SequenceLength() > context {
					longer++
				}
			}
			if longer != wantLonger[language][i] {
				t.Errorf("%s %s: %d rows longer than %d tokens, want %d", language, part, longer,
					context, wantLonger[language][i])
			}
		}
	}
}
