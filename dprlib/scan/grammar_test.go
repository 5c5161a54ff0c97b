package scan

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestInterpret(t *testing.T) {
	tests := []struct {
		command string
		want    string
	}{
		{"walk", "I_WALK"},
		{"look", "I_LOOK"},
		{"run", "I_RUN"},
		{"jump", "I_JUMP"},
		{"turn left", "I_TURN_LEFT"},
		{"turn right", "I_TURN_RIGHT"},
		{"walk left", "I_TURN_LEFT I_WALK"},
		{"jump right", "I_TURN_RIGHT I_JUMP"},
		{"look opposite left", "I_TURN_LEFT I_TURN_LEFT I_LOOK"},
		{"run opposite right", "I_TURN_RIGHT I_TURN_RIGHT I_RUN"},
		{"turn opposite left", "I_TURN_LEFT I_TURN_LEFT"},
		{"turn opposite right", "I_TURN_RIGHT I_TURN_RIGHT"},
		{
			"walk around left",
			"I_TURN_LEFT I_WALK I_TURN_LEFT I_WALK I_TURN_LEFT I_WALK I_TURN_LEFT I_WALK",
		},
		{
			"jump around right",
			"I_TURN_RIGHT I_JUMP I_TURN_RIGHT I_JUMP I_TURN_RIGHT I_JUMP I_TURN_RIGHT I_JUMP",
		},
		{"turn around left", "I_TURN_LEFT I_TURN_LEFT I_TURN_LEFT I_TURN_LEFT"},
		{"turn around right", "I_TURN_RIGHT I_TURN_RIGHT I_TURN_RIGHT I_TURN_RIGHT"},
		{"walk twice", "I_WALK I_WALK"},
		{"look thrice", "I_LOOK I_LOOK I_LOOK"},
		{"turn left twice", "I_TURN_LEFT I_TURN_LEFT"},
		{"run left thrice", "I_TURN_LEFT I_RUN I_TURN_LEFT I_RUN I_TURN_LEFT I_RUN"},
		{"turn opposite right thrice", strings.Repeat("I_TURN_RIGHT ", 5) + "I_TURN_RIGHT"},
		{"turn around left twice", strings.Repeat("I_TURN_LEFT ", 7) + "I_TURN_LEFT"},
		{"walk and jump", "I_WALK I_JUMP"},
		{"walk after jump", "I_JUMP I_WALK"},
		{"jump twice after walk left", "I_TURN_LEFT I_WALK I_JUMP I_JUMP"},
		{"walk left and turn right", "I_TURN_LEFT I_WALK I_TURN_RIGHT"},
		{"turn left after turn right", "I_TURN_RIGHT I_TURN_LEFT"},
		{
			"run opposite left after walk right",
			"I_TURN_RIGHT I_WALK I_TURN_LEFT I_TURN_LEFT I_RUN",
		},
		{
			"jump opposite right twice and turn opposite right thrice",
			"I_TURN_RIGHT I_TURN_RIGHT I_JUMP I_TURN_RIGHT I_TURN_RIGHT I_JUMP " +
				strings.Repeat("I_TURN_RIGHT ", 5) + "I_TURN_RIGHT",
		},
		{
			"look around right thrice after jump thrice",
			"I_JUMP I_JUMP I_JUMP " +
				strings.Repeat("I_TURN_RIGHT I_LOOK ", 11) + "I_TURN_RIGHT I_LOOK",
		},
		{"  walk \t left\n", "I_TURN_LEFT I_WALK"},
	}
	for _, test := range tests {
		got, err := Interpret(test.command)
		if err != nil {
			t.Errorf("Interpret(%q): %v", test.command, err)
			continue
		}
		if strings.Join(got, " ") != test.want {
			t.Errorf("Interpret(%q) = %q, want %q", test.command, strings.Join(got, " "), test.want)
		}
	}
}

func TestInterpretSyntaxError(t *testing.T) {
	tests := []struct {
		command      string
		wantWord     string
		wantPosition int
		wantExpected []string
	}{
		{"turn", "", 2, []string{"left", "right", "opposite", "around"}},
		{"turn twice", "twice", 2, []string{"left", "right", "opposite", "around"}},
		{"turn and walk", "and", 2, []string{"left", "right", "opposite", "around"}},
		{"hop", "hop", 1, []string{"walk", "look", "run", "jump", "turn"}},
		{"Walk", "Walk", 1, []string{"walk", "look", "run", "jump", "turn"}},
		{"left", "left", 1, []string{"walk", "look", "run", "jump", "turn"}},
		{"twice walk", "twice", 1, []string{"walk", "look", "run", "jump", "turn"}},
		{"walk opposite", "", 3, []string{"left", "right"}},
		{"walk around twice", "twice", 3, []string{"left", "right"}},
		{"walk left left", "left", 3, []string{"twice", "thrice", "and", "after", "end of command"}},
		{
			"walk walk", "walk", 2,
			[]string{"left", "right", "opposite", "around", "twice", "thrice", "and", "after",
				"end of command"},
		},
		{"walk twice twice", "twice", 3, []string{"and", "after", "end of command"}},
		{"walk and", "", 3, []string{"walk", "look", "run", "jump", "turn"}},
		{"and walk", "and", 1, []string{"walk", "look", "run", "jump", "turn"}},
		{"walk after after jump", "after", 3, []string{"walk", "look", "run", "jump", "turn"}},
		{
			"walk and run and jump", "and", 4,
			[]string{"left", "right", "opposite", "around", "twice", "thrice", "end of command"},
		},
		{"walk thrice after jump twice and", "and", 6, []string{"end of command"}},
	}
	for _, test := range tests {
		got, err := Interpret(test.command)
		var syntaxErr *SyntaxError
		if !errors.As(err, &syntaxErr) {
			t.Errorf("Interpret(%q) = %q, %v, want a *SyntaxError", test.command, got, err)
			continue
		}
		if syntaxErr.Word != test.wantWord {
			t.Errorf("Interpret(%q): error word = %q, want %q",
				test.command, syntaxErr.Word, test.wantWord)
		}
		if syntaxErr.Position != test.wantPosition {
			t.Errorf("Interpret(%q): error position = %d, want %d",
				test.command, syntaxErr.Position, test.wantPosition)
		}
		if !slices.Equal(syntaxErr.Expected, test.wantExpected) {
			t.Errorf("Interpret(%q): expected words = %q, want %q",
				test.command, syntaxErr.Expected, test.wantExpected)
		}
		if !strings.Contains(err.Error(), test.command) {
			t.Errorf("Interpret(%q): error %q does not quote the command", test.command, err)
		}
	}
}

func TestSyntaxErrorMessage(t *testing.T) {
	tests := []struct {
		command string
		want    string
	}{
		{
			"walk walk",
			`scan: invalid command "walk walk": unexpected word "walk" at position 2; expected ` +
				`"left", "right", "opposite", "around", "twice", "thrice", "and", "after" ` +
				`or end of command`,
		},
		{
			"turn",
			`scan: invalid command "turn": command ends after word 1; expected "left", ` +
				`"right", "opposite" or "around"`,
		},
		{
			"hop",
			`scan: invalid command "hop": unknown word "hop" at position 1 (the SCAN words ` +
				`are after, and, around, jump, left, look, opposite, right, run, thrice, turn, ` +
				`twice, walk); expected "walk", "look", "run", "jump" or "turn"`,
		},
		{
			"walk and run after jump",
			`scan: invalid command "walk and run after jump": unexpected word "after" at ` +
				`position 4; expected "left", "right", "opposite", "around", "twice", "thrice" ` +
				`or end of command; a command contains at most one "and" or "after"`,
		},
	}
	for _, test := range tests {
		_, err := Interpret(test.command)
		if err == nil {
			t.Errorf("Interpret(%q): got no error", test.command)
			continue
		}
		if err.Error() != test.want {
			t.Errorf("Interpret(%q) error:\n got %s\nwant %s", test.command, err, test.want)
		}
	}
}

func TestInterpretEmpty(t *testing.T) {
	for _, command := range []string{"", "   ", "\t\n"} {
		got, err := Interpret(command)
		if err == nil {
			t.Errorf("Interpret(%q) = %q, want an error", command, got)
			continue
		}
		if !strings.Contains(err.Error(), "empty command") {
			t.Errorf("Interpret(%q) error = %q, want it to mention an empty command", command, err)
		}
	}
}

func TestVocabularies(t *testing.T) {
	wantCommand := []string{
		"after", "and", "around", "jump", "left", "look", "opposite", "right", "run",
		"thrice", "turn", "twice", "walk",
	}
	if got := CommandWords(); !slices.Equal(got, wantCommand) {
		t.Errorf("CommandWords() = %q, want %q", got, wantCommand)
	}
	wantActions := []string{
		"I_JUMP", "I_LOOK", "I_RUN", "I_TURN_LEFT", "I_TURN_RIGHT", "I_WALK",
	}
	if got := ActionWords(); !slices.Equal(got, wantActions) {
		t.Errorf("ActionWords() = %q, want %q", got, wantActions)
	}
}
