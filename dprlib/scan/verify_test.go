package scan

import (
	"slices"
	"strings"
	"testing"
)

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"a", "", 1},
		{"", "a b c", 3},
		{"a b c", "a b c", 0},
		{"a b c", "a x c", 1},
		{"a b c", "a c", 1},
		{"a c", "a b c", 1},
		{"a b c", "c b a", 2},
		{"a b", "b a", 2},
		{"kitten", "sitting", 1}, // one token each
		{"k i t t e n", "s i t t i n g", 3},
		{"s a t u r d a y", "s u n d a y", 3},
		{"I_WALK I_WALK", "I_JUMP", 2},
	}
	for _, test := range tests {
		a, b := strings.Fields(test.a), strings.Fields(test.b)
		if got := EditDistance(a, b); got != test.want {
			t.Errorf("EditDistance(%q, %q) = %d, want %d", test.a, test.b, got, test.want)
		}
		if got := EditDistance(b, a); got != test.want {
			t.Errorf("EditDistance(%q, %q) = %d, want %d", test.b, test.a, got, test.want)
		}
	}
}

func TestEditDistanceInts(t *testing.T) {
	a := []int32{1, 5, 7, 9, 3}
	b := []int32{1, 7, 9, 4, 3, 3}
	if got, want := EditDistance(a, b), 3; got != want {
		t.Errorf("EditDistance(%v, %v) = %d, want %d", a, b, got, want)
	}
}

func TestVerify(t *testing.T) {
	tests := []struct {
		command      string
		response     string
		wantMatch    bool
		wantDistance int
	}{
		{"jump twice after walk left", "I_TURN_LEFT I_WALK I_JUMP I_JUMP", true, 0},
		{"jump twice after walk left", "I_JUMP I_JUMP I_TURN_LEFT I_WALK", false, 4},
		{"jump twice after walk left", "I_TURN_LEFT I_WALK I_JUMP", false, 1},
		{"jump twice after walk left", "I_TURN_LEFT I_WALK I_JUMP I_JUMP I_JUMP", false, 1},
		{"jump twice after walk left", "I_TURN_RIGHT I_WALK I_JUMP I_JUMP", false, 1},
		{"jump twice after walk left", "", false, 4},
		{"turn left", "I_TURN_LEFT <eos>", false, 1},
		{"walk", "walk", false, 1},
	}
	for _, test := range tests {
		response := strings.Fields(test.response)
		got, err := Verify(test.command, response)
		if err != nil {
			t.Errorf("Verify(%q, %q): %v", test.command, test.response, err)
			continue
		}
		if got.ExactMatch != test.wantMatch {
			t.Errorf("Verify(%q, %q).ExactMatch = %t, want %t",
				test.command, test.response, got.ExactMatch, test.wantMatch)
		}
		if got.EditDistance != test.wantDistance {
			t.Errorf("Verify(%q, %q).EditDistance = %d, want %d",
				test.command, test.response, got.EditDistance, test.wantDistance)
		}
		want, _ := Interpret(test.command)
		if !slices.Equal(got.Expected, want) {
			t.Errorf("Verify(%q, %q).Expected = %q, want %q",
				test.command, test.response, got.Expected, want)
		}
	}
}

func TestVerifyInvalidCommand(t *testing.T) {
	_, err := Verify("walk twice twice", []string{"I_WALK"})
	if err == nil {
		t.Fatal(`Verify("walk twice twice", ...): got no error`)
	}
	if !strings.Contains(err.Error(), `"twice" at position 3`) {
		t.Errorf(`Verify("walk twice twice", ...) error = %q, `+
			`want it to name "twice" at position 3`, err)
	}
}
