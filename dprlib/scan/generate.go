package scan

import (
	"slices"
	"strings"
	"sync"
)

// NumCommands is the number of distinct commands that the SCAN grammar
// generates.
const NumCommands = 20910

// Generate returns every command of the SCAN grammar with its action
// sequence, NumCommands examples in this order:
//
//  1. the 102 single clauses S, in clause order;
//  2. the 10,404 commands "s1 and s2", with s1 in the outer loop and s2 in
//     the inner loop, both in clause order;
//  3. the 10,404 commands "s1 after s2", in the same order.
//
// Clause order lists each verb phrase v as "v", "v twice", "v thrice". The
// verb phrases follow the verbs walk, look, run, jump, turn. For each verb
// the forms are, in order, the bare verb (not for turn), then "left",
// "right", "opposite left", "opposite right", "around left" and
// "around right" after it. The list therefore starts "walk", "walk twice", "walk thrice",
// "walk left", and the last command is "turn around right thrice after turn
// around right thrice".
//
// The caller owns the returned slice.
func Generate() []Example {
	return slices.Clone(generated())
}

// generated builds the command list once. The actions are composed from
// the clauses' actions, independently of Interpret, so that tests can check
// one against the other.
var generated = sync.OnceValue(func() []Example {
	type clause struct {
		command string
		actions []string
	}

	var phrases []clause
	for _, verb := range verbs {
		action := verbActions[verb]
		if verb != "turn" {
			phrases = append(phrases, clause{verb, action})
		}
		for _, direction := range directions {
			turn := turnActions[direction]
			phrases = append(phrases, clause{
				verb + " " + direction,
				append([]string{turn}, action...),
			})
		}
		for _, modifier := range modifiers {
			for _, direction := range directions {
				turn := turnActions[direction]
				actions := append([]string{turn, turn}, action...)
				if modifier == "around" {
					actions = repeat(append([]string{turn}, action...), 4)
				}
				phrases = append(phrases, clause{verb + " " + modifier + " " + direction, actions})
			}
		}
	}

	var clauses []clause
	for _, phrase := range phrases {
		clauses = append(clauses, phrase)
		for _, repetition := range repetitions {
			clauses = append(clauses, clause{
				phrase.command + " " + repetition,
				repeat(phrase.actions, repetitionCounts[repetition]),
			})
		}
	}

	examples := make([]Example, 0, NumCommands)
	for _, c := range clauses {
		examples = append(examples, Example{c.command, strings.Join(c.actions, " ")})
	}
	for _, conjunction := range conjunctions {
		for _, first := range clauses {
			for _, second := range clauses {
				actions := append(slices.Clone(first.actions), second.actions...)
				if conjunction == "after" {
					actions = append(slices.Clone(second.actions), first.actions...)
				}
				examples = append(examples, Example{
					Command: first.command + " " + conjunction + " " + second.command,
					Actions: strings.Join(actions, " "),
				})
			}
		}
	}
	return examples
})
