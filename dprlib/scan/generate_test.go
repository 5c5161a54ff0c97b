package scan

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dprkit/dprkit/dprlib/datapath"
)

func TestGenerateCount(t *testing.T) {
	examples := Generate()
	if len(examples) != NumCommands {
		t.Fatalf("len(Generate()) = %d, want %d", len(examples), NumCommands)
	}
	if NumCommands != 20910 {
		t.Errorf("NumCommands = %d, want 20910", NumCommands)
	}

	seen := make(map[string]int, len(examples))
	for i, e := range examples {
		if j, ok := seen[e.Command]; ok {
			t.Errorf("Generate(): command %q at index %d repeats index %d", e.Command, i, j)
		}
		seen[e.Command] = i
	}
}

func TestGenerateOrder(t *testing.T) {
	examples := Generate()
	tests := []struct {
		index   int
		command string
		actions string
	}{
		{0, "walk", "I_WALK"},
		{1, "walk twice", "I_WALK I_WALK"},
		{2, "walk thrice", "I_WALK I_WALK I_WALK"},
		{3, "walk left", "I_TURN_LEFT I_WALK"},
		{6, "walk right", "I_TURN_RIGHT I_WALK"},
		{9, "walk opposite left", "I_TURN_LEFT I_TURN_LEFT I_WALK"},
		{15, "walk around left", strings.Repeat("I_TURN_LEFT I_WALK ", 3) + "I_TURN_LEFT I_WALK"},
		{21, "look", "I_LOOK"},
		{84, "turn left", "I_TURN_LEFT"},
		{101, "turn around right thrice", strings.Repeat("I_TURN_RIGHT ", 11) + "I_TURN_RIGHT"},
		{102, "walk and walk", "I_WALK I_WALK"},
		{103, "walk and walk twice", "I_WALK I_WALK I_WALK"},
		{204, "walk twice and walk", "I_WALK I_WALK I_WALK"},
		{
			10505, "turn around right thrice and turn around right thrice",
			strings.Repeat("I_TURN_RIGHT ", 23) + "I_TURN_RIGHT",
		},
		{10506, "walk after walk", "I_WALK I_WALK"},
		{10509, "walk after walk left", "I_TURN_LEFT I_WALK I_WALK"},
		{
			20909, "turn around right thrice after turn around right thrice",
			strings.Repeat("I_TURN_RIGHT ", 23) + "I_TURN_RIGHT",
		},
	}
	for _, test := range tests {
		got := examples[test.index]
		if got.Command != test.command {
			t.Errorf("Generate()[%d].Command = %q, want %q", test.index, got.Command, test.command)
		}
		if got.Actions != test.actions {
			t.Errorf("Generate()[%d].Actions = %q, want %q", test.index, got.Actions, test.actions)
		}
	}
}

func TestGenerateMatchesInterpret(t *testing.T) {
	for _, e := range Generate() {
		got, err := Interpret(e.Command)
		if err != nil {
			t.Fatalf("Interpret(%q) of a generated command: %v", e.Command, err)
		}
		if strings.Join(got, " ") != e.Actions {
			t.Fatalf("Interpret(%q) = %q, but Generate has %q", e.Command, got, e.Actions)
		}
	}
}

func TestGenerateReturnsCopy(t *testing.T) {
	first := Generate()
	first[0] = Example{Command: "changed", Actions: "changed"}
	if second := Generate(); second[0].Command != "walk" {
		t.Errorf("Generate()[0].Command = %q after a caller changed an earlier result, want %q",
			second[0].Command, "walk")
	}
}

// realDataDir returns the data directory that datapath.Resolve finds, or
// skips the test when it has no scan folder.
func realDataDir(t *testing.T) string {
	t.Helper()
	dir, err := datapath.Resolve("")
	if err != nil {
		t.Skipf("no data directory: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, DataSubdir)); err != nil {
		t.Skipf("official SCAN files not found in %s; set DPR_DATA_DIR or run "+
			"\"dpr data fetch\" to run this test", filepath.Join(dir, DataSubdir))
	}
	return dir
}

func TestGenerateEqualsOfficialSimpleSplit(t *testing.T) {
	dir := realDataDir(t)
	split, err := LoadSplit(dir, "simple")
	if err != nil {
		t.Fatal(err)
	}

	official := make(map[string]string)
	for _, e := range append(split.Train, split.Test...) {
		if _, ok := official[e.Command]; ok {
			t.Errorf("official simple split repeats command %q", e.Command)
		}
		official[e.Command] = e.Actions
	}
	if len(official) != NumCommands {
		t.Errorf("official simple split has %d distinct commands, want %d", len(official), NumCommands)
	}

	for _, e := range Generate() {
		actions, ok := official[e.Command]
		if !ok {
			t.Errorf("generated command %q is not in the official simple split", e.Command)
			continue
		}
		if actions != e.Actions {
			t.Errorf("actions of %q: generated %q, official %q", e.Command, e.Actions, actions)
		}
	}
}

func TestInterpretOfficialLengthSplit(t *testing.T) {
	dir := realDataDir(t)
	split, err := LoadSplit(dir, "length")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range append(split.Train, split.Test...) {
		got, err := Interpret(e.Command)
		if err != nil {
			t.Errorf("Interpret(%q): %v", e.Command, err)
			continue
		}
		if strings.Join(got, " ") != e.Actions {
			t.Errorf("Interpret(%q) = %q, official %q", e.Command, strings.Join(got, " "), e.Actions)
		}
	}
}
