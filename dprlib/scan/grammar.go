// Package scan implements the SCAN benchmark of Lake and Baroni (2018,
// "Generalization without systematicity", ICML): its grammar, its
// interpretation function, and loaders for the official split files.
//
// A SCAN command such as "jump twice after walk left" maps to one action
// sequence, here "I_TURN_LEFT I_WALK I_JUMP I_JUMP". The grammar is
//
//	C → S | S and S | S after S
//	S → V | V twice | V thrice
//	V → U | X D | X opposite D | X around D
//	X → U | turn
//	D → left | right
//	U → walk | look | run | jump
//
// and the interpretation function, written as ⟦·⟧, is
//
//	⟦walk⟧ = I_WALK, and likewise for look, run and jump; ⟦turn⟧ is empty
//	⟦x left⟧ = I_TURN_LEFT ⟦x⟧
//	⟦x opposite left⟧ = I_TURN_LEFT I_TURN_LEFT ⟦x⟧
//	⟦x around left⟧ = I_TURN_LEFT ⟦x⟧, repeated 4 times
//	⟦v twice⟧ = ⟦v⟧ ⟦v⟧, ⟦v thrice⟧ = ⟦v⟧ ⟦v⟧ ⟦v⟧
//	⟦s1 and s2⟧ = ⟦s1⟧ ⟦s2⟧, ⟦s1 after s2⟧ = ⟦s2⟧ ⟦s1⟧
//
// with I_TURN_RIGHT in place of I_TURN_LEFT for "right". Because ⟦turn⟧ is
// empty, "turn" contributes only the turns of its direction, and "turn"
// without a direction is not a command. The grammar generates 34 verb
// phrases V, 102 clauses S and 102 + 2·102² = 20,910 commands, which
// Generate lists.
package scan

import (
	"fmt"
	"slices"
	"strings"
)

// Action tokens of the SCAN output vocabulary.
const (
	ActionWalk      = "I_WALK"
	ActionLook      = "I_LOOK"
	ActionRun       = "I_RUN"
	ActionJump      = "I_JUMP"
	ActionTurnLeft  = "I_TURN_LEFT"
	ActionTurnRight = "I_TURN_RIGHT"
)

// Words of the command grammar, grouped by the role they play.
var (
	// verbs are the words that start a verb phrase, in the order that
	// Generate uses. "turn" must be followed by a direction.
	verbs = []string{"walk", "look", "run", "jump", "turn"}

	directions  = []string{"left", "right"}
	modifiers   = []string{"opposite", "around"}
	repetitions = []string{"twice", "thrice"}

	conjunctions = []string{"and", "after"}
)

// verbActions maps each verb to its action. ⟦turn⟧ is empty.
var verbActions = map[string][]string{
	"walk": {ActionWalk},
	"look": {ActionLook},
	"run":  {ActionRun},
	"jump": {ActionJump},
	"turn": nil,
}

var turnActions = map[string]string{
	"left":  ActionTurnLeft,
	"right": ActionTurnRight,
}

var repetitionCounts = map[string]int{
	"twice":  2,
	"thrice": 3,
}

// CommandWords returns the 13 words of the SCAN command vocabulary in
// alphabetical order.
func CommandWords() []string {
	var words []string
	for _, group := range [][]string{verbs, directions, modifiers, repetitions, conjunctions} {
		words = append(words, group...)
	}
	slices.Sort(words)
	return words
}

// ActionWords returns the 6 tokens of the SCAN action vocabulary in
// alphabetical order.
func ActionWords() []string {
	return []string{
		ActionJump, ActionLook, ActionRun, ActionTurnLeft, ActionTurnRight, ActionWalk,
	}
}

// endOfCommand stands for the end of the command in SyntaxError.Expected.
const endOfCommand = "end of command"

// SyntaxError reports a command that the SCAN grammar does not generate.
type SyntaxError struct {
	// Command is the command as given.
	Command string
	// Position is the 1-based index of the offending word among the
	// whitespace-separated words of Command. It is len(words)+1 when the
	// command ends too early.
	Position int
	// Word is the offending word, or "" when the command ends too early.
	Word string
	// Expected lists the words the grammar accepts at Position, with
	// "end of command" where the command could stop.
	Expected []string
}

// Error formats the offending word, its position and the accepted words.
func (e *SyntaxError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "scan: invalid command %q: ", e.Command)
	switch {
	case e.Word == "":
		fmt.Fprintf(&b, "command ends after word %d", e.Position-1)
	case !isCommandWord(e.Word):
		fmt.Fprintf(&b, "unknown word %q at position %d (the SCAN words are %s)",
			e.Word, e.Position, strings.Join(CommandWords(), ", "))
	default:
		fmt.Fprintf(&b, "unexpected word %q at position %d", e.Word, e.Position)
	}
	if len(e.Expected) > 0 {
		fmt.Fprintf(&b, "; expected %s", joinAlternatives(e.Expected))
	}
	if slices.Contains(conjunctions, e.Word) && slices.Contains(e.Expected, endOfCommand) {
		b.WriteString(`; a command contains at most one "and" or "after"`)
	}
	return b.String()
}

func isCommandWord(word string) bool {
	return slices.Contains(CommandWords(), word)
}

// joinAlternatives formats words as "a, b or c", quoting every word except
// the end-of-command marker.
func joinAlternatives(words []string) string {
	quoted := make([]string, len(words))
	for i, w := range words {
		if w == endOfCommand {
			quoted[i] = w
		} else {
			quoted[i] = fmt.Sprintf("%q", w)
		}
	}
	if len(quoted) == 1 {
		return quoted[0]
	}
	return strings.Join(quoted[:len(quoted)-1], ", ") + " or " + quoted[len(quoted)-1]
}

// Interpret parses command with the SCAN grammar and returns its action
// sequence. Words are separated by any run of white space. An ungrammatical
// command returns a *SyntaxError that names the offending word and its
// position.
func Interpret(command string) ([]string, error) {
	p := &parser{command: command, words: strings.Fields(command)}
	if len(p.words) == 0 {
		return nil, fmt.Errorf("scan: empty command; expected a SCAN command such as %q",
			"jump twice after walk left")
	}
	return p.parseCommand()
}

// parser is a recursive-descent parser over the words of one command. It
// records the words that would have been accepted at the current position,
// so that an error can list them.
type parser struct {
	command  string
	words    []string
	pos      int
	expected []string
}

// accept consumes the next word and returns it if it is one of options.
// Otherwise it records options as expected at the current position.
func (p *parser) accept(options ...string) (string, bool) {
	if p.pos < len(p.words) && slices.Contains(options, p.words[p.pos]) {
		word := p.words[p.pos]
		p.pos++
		p.expected = nil
		return word, true
	}
	for _, option := range options {
		if !slices.Contains(p.expected, option) {
			p.expected = append(p.expected, option)
		}
	}
	return "", false
}

func (p *parser) atEnd() bool {
	return p.pos == len(p.words)
}

// fail returns a SyntaxError at the current position.
func (p *parser) fail() error {
	err := &SyntaxError{
		Command:  p.command,
		Position: p.pos + 1,
		Expected: slices.Clone(p.expected),
	}
	if p.pos < len(p.words) {
		err.Word = p.words[p.pos]
	}
	return err
}

// parseCommand parses C → S and S | S after S | S.
func (p *parser) parseCommand() ([]string, error) {
	first, err := p.parseClause()
	if err != nil {
		return nil, err
	}
	if p.atEnd() {
		return first, nil
	}
	conjunction, ok := p.accept(conjunctions...)
	if !ok {
		p.expected = append(p.expected, endOfCommand)
		return nil, p.fail()
	}
	second, err := p.parseClause()
	if err != nil {
		return nil, err
	}
	if !p.atEnd() {
		p.expected = append(p.expected, endOfCommand)
		return nil, p.fail()
	}
	if conjunction == "after" {
		return append(second, first...), nil
	}
	return append(first, second...), nil
}

// parseClause parses S → V twice | V thrice | V.
func (p *parser) parseClause() ([]string, error) {
	phrase, err := p.parseVerbPhrase()
	if err != nil {
		return nil, err
	}
	repetition, ok := p.accept(repetitions...)
	if !ok {
		return phrase, nil
	}
	return repeat(phrase, repetitionCounts[repetition]), nil
}

// parseVerbPhrase parses V → U | X D | X opposite D | X around D, where X is
// U or "turn".
func (p *parser) parseVerbPhrase() ([]string, error) {
	verb, ok := p.accept(verbs...)
	if !ok {
		return nil, p.fail()
	}
	action := verbActions[verb]

	if direction, ok := p.accept(directions...); ok {
		return append([]string{turnActions[direction]}, action...), nil
	}
	if modifier, ok := p.accept(modifiers...); ok {
		direction, ok := p.accept(directions...)
		if !ok {
			return nil, p.fail()
		}
		turn := turnActions[direction]
		if modifier == "opposite" {
			return append([]string{turn, turn}, action...), nil
		}
		return repeat(append([]string{turn}, action...), 4), nil
	}
	if verb == "turn" {
		return nil, p.fail()
	}
	return slices.Clone(action), nil
}

// repeat returns n concatenated copies of actions.
func repeat(actions []string, n int) []string {
	out := make([]string, 0, n*len(actions))
	for range n {
		out = append(out, actions...)
	}
	return out
}
