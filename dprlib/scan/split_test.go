package scan

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestSplitNames(t *testing.T) {
	want := []string{
		"simple", "length", "simple-p1", "simple-p2", "simple-p4", "simple-p8", "simple-p16",
		"gen-p1", "gen-p2", "gen-p4", "gen-p8", "gen-p16", "gen-all",
	}
	if got := SplitNames(); !slices.Equal(got, want) {
		t.Errorf("SplitNames() = %q, want %q", got, want)
	}
}

func TestLoadSplitOfficial(t *testing.T) {
	dir := realDataDir(t)
	tests := []struct {
		name      string
		wantTrain int
		wantTest  int
	}{
		{"simple", 16728, 4182},
		{"length", 16990, 3920},
		{"simple-p1", 209, 20701},
		{"simple-p2", 418, 20492},
		{"simple-p4", 836, 20074},
		{"simple-p8", 1672, 19238},
		{"simple-p16", 3345, 17565},
	}
	for _, test := range tests {
		split, err := LoadSplit(dir, test.name)
		if err != nil {
			t.Errorf("LoadSplit(%s, %q): %v", dir, test.name, err)
			continue
		}
		if split.Name != test.name {
			t.Errorf("LoadSplit(%q).Name = %q", test.name, split.Name)
		}
		if len(split.Train) != test.wantTrain {
			t.Errorf("LoadSplit(%q): %d training examples, want %d",
				test.name, len(split.Train), test.wantTrain)
		}
		if len(split.Test) != test.wantTest {
			t.Errorf("LoadSplit(%q): %d test examples, want %d",
				test.name, len(split.Test), test.wantTest)
		}
		checkPartition(t, test.name, split)
	}
}

// checkPartition checks that a split's training and test commands are
// disjoint and, for every split but "length", that together they are all
// NumCommands commands of the grammar.
func checkPartition(t *testing.T, name string, split Split) {
	t.Helper()
	seen := make(map[string]bool)
	for _, e := range split.Train {
		seen[e.Command] = true
	}
	for _, e := range split.Test {
		if seen[e.Command] {
			t.Errorf("split %q: command %q is in both training and test sets", name, e.Command)
		}
		seen[e.Command] = true
	}
	if name != "length" && len(seen) != NumCommands {
		t.Errorf("split %q covers %d distinct commands, want %d", name, len(seen), NumCommands)
	}
}

// writeDataDir writes a small data directory with the layout of the
// official files and returns it.
func writeDataDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		writeFile(t, filepath.Join(dir, filepath.FromSlash(name)), content)
	}
	return dir
}

var smallDataDir = map[string]string{
	"scan/simple_split/tasks_train_simple.txt": "IN: walk OUT: I_WALK\n" +
		"IN: run twice OUT: I_RUN I_RUN\n" +
		"IN: turn left OUT: I_TURN_LEFT\n",
	"scan/simple_split/tasks_test_simple.txt": "IN: jump OUT: I_JUMP\n" +
		"IN: look right OUT: I_TURN_RIGHT I_LOOK\n",
	"scan/length_split/tasks_train_length.txt": "IN: walk OUT: I_WALK\n",
	"scan/length_split/tasks_test_length.txt":  "IN: walk thrice OUT: I_WALK I_WALK I_WALK\n",
	"scan/size_variations/tasks_train_simple_p1.txt": "IN: run twice OUT: I_RUN I_RUN\n" +
		"IN: jump OUT: I_JUMP\n",
}

func commands(examples []Example) []string {
	out := make([]string, len(examples))
	for i, e := range examples {
		out[i] = e.Command
	}
	return out
}

func TestLoadSplitSmallFiles(t *testing.T) {
	dir := writeDataDir(t, smallDataDir)
	tests := []struct {
		name      string
		wantTrain []string
		wantTest  []string
	}{
		{"simple", []string{"walk", "run twice", "turn left"}, []string{"jump", "look right"}},
		{"length", []string{"walk"}, []string{"walk thrice"}},
		{"simple-p1", []string{"run twice", "jump"}, []string{"walk", "turn left", "look right"}},
	}
	for _, test := range tests {
		split, err := LoadSplit(dir, test.name)
		if err != nil {
			t.Errorf("LoadSplit(%q): %v", test.name, err)
			continue
		}
		if got := commands(split.Train); !slices.Equal(got, test.wantTrain) {
			t.Errorf("LoadSplit(%q) training commands = %q, want %q", test.name, got, test.wantTrain)
		}
		if got := commands(split.Test); !slices.Equal(got, test.wantTest) {
			t.Errorf("LoadSplit(%q) test commands = %q, want %q", test.name, got, test.wantTest)
		}
	}
}

func TestLoadSplitErrors(t *testing.T) {
	malformed := map[string]string{}
	for name, content := range smallDataDir {
		malformed[name] = content
	}
	malformed["scan/simple_split/tasks_test_simple.txt"] = "IN: jump OUT: I_JUMP\nIN: look right\n"

	tests := []struct {
		name         string
		dataDir      string
		split        string
		wantMessages []string
	}{
		{
			name:    "malformed line",
			dataDir: writeDataDir(t, malformed),
			split:   "simple",
			wantMessages: []string{
				filepath.FromSlash("scan/simple_split/tasks_test_simple.txt") + ":2:",
				`"IN: look right"`, `" OUT: "`,
			},
		},
		{
			name:         "malformed line in size variation's test set",
			dataDir:      writeDataDir(t, malformed),
			split:        "simple-p1",
			wantMessages: []string{"tasks_test_simple.txt:2:"},
		},
		{
			name:    "missing size variation file",
			dataDir: writeDataDir(t, smallDataDir),
			split:   "simple-p8",
			wantMessages: []string{
				filepath.FromSlash("scan/size_variations/tasks_train_simple_p8.txt"),
				"missing file", "dpr data fetch",
			},
		},
		{
			name:    "missing data dir",
			dataDir: filepath.Join(t.TempDir(), "nowhere"),
			split:   "simple",
			wantMessages: []string{
				filepath.Join("nowhere", "scan"), "does not exist", "--data-dir", "DPR_DATA_DIR",
				"dpr data fetch", "gen-*",
			},
		},
		{
			name:         "empty data dir",
			dataDir:      "",
			split:        "length",
			wantMessages: []string{`"length"`, "no data directory", "DPR_DATA_DIR"},
		},
		{
			name:    "unknown split",
			dataDir: writeDataDir(t, smallDataDir),
			split:   "simple-p3",
			wantMessages: []string{
				`unknown split "simple-p3"`, strings.Join(SplitNames(), ", "),
			},
		},
	}
	for _, test := range tests {
		split, err := LoadSplit(test.dataDir, test.split)
		if err == nil {
			t.Errorf("%s: LoadSplit(%q) = %d/%d examples, want an error",
				test.name, test.split, len(split.Train), len(split.Test))
			continue
		}
		for _, message := range test.wantMessages {
			if !strings.Contains(err.Error(), message) {
				t.Errorf("%s: LoadSplit(%q) error = %q, want it to contain %q",
					test.name, test.split, err, message)
			}
		}
	}
}

func TestGeneratedSplitSizes(t *testing.T) {
	tests := []struct {
		percent   int
		wantTrain int
	}{
		{1, 209}, {2, 418}, {4, 836}, {8, 1672}, {16, 3345},
	}
	var previous []string
	for _, test := range tests {
		name := fmt.Sprintf("gen-p%d", test.percent)
		split, err := LoadSplit("/nonexistent/data/dir", name)
		if err != nil {
			t.Fatalf("LoadSplit(%q): %v", name, err)
		}
		if split.Name != name {
			t.Errorf("LoadSplit(%q).Name = %q", name, split.Name)
		}
		if len(split.Train) != test.wantTrain {
			t.Errorf("%s: %d training examples, want %d", name, len(split.Train), test.wantTrain)
		}
		if want := NumCommands - test.wantTrain; len(split.Test) != want {
			t.Errorf("%s: %d test examples, want %d", name, len(split.Test), want)
		}
		checkPartition(t, name, split)

		train := commands(split.Train)
		if !slices.Equal(train[:len(previous)], previous) {
			t.Errorf("%s: training set does not start with the smaller generated training set", name)
		}
		previous = train
	}
}

func TestGeneratedSplitDeterministic(t *testing.T) {
	first, err := GeneratedSplit(4)
	if err != nil {
		t.Fatal(err)
	}
	second, err := LoadSplit("", "gen-p4")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(first.Train, second.Train) {
		t.Error("GeneratedSplit(4) and LoadSplit(gen-p4) differ in the training set")
	}
	if !slices.Equal(first.Test, second.Test) {
		t.Error("GeneratedSplit(4) and LoadSplit(gen-p4) differ in the test set")
	}
}

// TestGeneratedSplitGolden pins the shuffle: a change in the generator,
// the seeds, the index mapping or Generate's order changes these commands.
func TestGeneratedSplitGolden(t *testing.T) {
	split, err := GeneratedSplit(1)
	if err != nil {
		t.Fatal(err)
	}
	wantTrainStart := []string{
		"look opposite left thrice and look left",
		"walk around left thrice and run around left",
		"run left thrice after walk around left thrice",
		"jump opposite left after run twice",
		"walk opposite right twice and run opposite left twice",
	}
	if got := commands(split.Train[:len(wantTrainStart)]); !slices.Equal(got, wantTrainStart) {
		t.Errorf("gen-p1 training set starts with %q, want %q", got, wantTrainStart)
	}
	wantTestEnd := []string{
		"run opposite right and walk around right twice",
		"run right after look around left thrice",
		"look left thrice after jump opposite right twice",
	}
	testEnd := split.Test[len(split.Test)-len(wantTestEnd):]
	if got := commands(testEnd); !slices.Equal(got, wantTestEnd) {
		t.Errorf("gen-p1 test set ends with %q, want %q", got, wantTestEnd)
	}
}

// TestPCGOutputStable pins the first outputs of math/rand/v2's PCG with
// the split seeds, on which the generated splits depend.
func TestPCGOutputStable(t *testing.T) {
	source := rand.NewPCG(generatedSeed1, generatedSeed2)
	want := []uint64{0x97666a4bdfbd3a5a, 0x1f4637737cfbfb9f, 0x2c2a781dbc8b19dd}
	for i, w := range want {
		if got := source.Uint64(); got != w {
			t.Errorf("PCG(%d, %d) output %d = %#x, want %#x",
				generatedSeed1, generatedSeed2, i, got, w)
		}
	}
}

func TestGeneratedSplitInvalidPercent(t *testing.T) {
	for _, percent := range []int{0, 3, 32, 100, -1} {
		_, err := GeneratedSplit(percent)
		if err == nil {
			t.Errorf("GeneratedSplit(%d): got no error", percent)
			continue
		}
		if !strings.Contains(err.Error(), fmt.Sprintf("%d%%", percent)) {
			t.Errorf("GeneratedSplit(%d) error = %q, want it to name the size", percent, err)
		}
	}
}

func TestLoadSplitGenAll(t *testing.T) {
	split, err := LoadSplit("", "gen-all")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(split.Train, Generate()) {
		t.Error("gen-all training set differs from Generate()")
	}
	if split.Test == nil || len(split.Test) != 0 {
		t.Errorf("gen-all test set = %v, want empty and non-nil", split.Test)
	}
}

func TestUniformIndexRange(t *testing.T) {
	source := rand.NewPCG(1, 2)
	for _, n := range []uint64{1, 2, 3, 7, 1 << 63, 1<<63 + 1} {
		for range 100 {
			if got := uniformIndex(source, n); got >= n {
				t.Fatalf("uniformIndex(n=%d) = %d, want < n", n, got)
			}
		}
	}
}

func TestSplitFiles(t *testing.T) {
	cases := map[string]int{"simple": 2, "length": 2, "simple-p8": 3, "gen-p8": 0, "nope": 0}
	for name, want := range cases {
		files := SplitFiles(name)
		if len(files) != want {
			t.Errorf("SplitFiles(%q) = %v, want %d files", name, files, want)
		}
		for _, f := range files {
			if !strings.HasPrefix(f, "scan/") {
				t.Errorf("SplitFiles(%q) lists %q outside scan/", name, f)
			}
		}
	}
	if got := SplitFiles("simple-p8")[2]; got != "scan/size_variations/tasks_train_simple_p8.txt" {
		t.Errorf("size variation file = %q", got)
	}
}
