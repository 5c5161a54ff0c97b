package scan

import "slices"

// Verdict is the result of checking a response against the interpretation
// of a command.
type Verdict struct {
	// Expected is the action sequence that Interpret returns for the command.
	Expected []string
	// ExactMatch reports whether the response equals Expected token for
	// token.
	ExactMatch bool
	// EditDistance is the token-level Levenshtein distance between the
	// response and Expected. It is 0 exactly when ExactMatch is true.
	EditDistance int
}

// Verify interprets command and compares response, a sequence of action
// tokens, with the result. It returns an error only when command is not a
// SCAN command. A response may contain any tokens, and tokens outside the
// action vocabulary count as substitutions or insertions.
func Verify(command string, response []string) (Verdict, error) {
	expected, err := Interpret(command)
	if err != nil {
		return Verdict{}, err
	}
	return Verdict{
		Expected:     expected,
		ExactMatch:   slices.Equal(response, expected),
		EditDistance: EditDistance(response, expected),
	}, nil
}

// EditDistance returns the Levenshtein distance between a and b: the
// minimum number of single-element insertions, deletions and substitutions
// that turn a into b, each costing 1. It takes O(len(a)·len(b)) time and
// O(len(b)) memory.
func EditDistance[T comparable](a, b []T) int {
	// row[j] is the distance between the prefix of a processed so far
	// and b[:j].
	row := make([]int, len(b)+1)
	for j := range row {
		row[j] = j
	}
	for i := range a {
		diagonal := row[0] // distance between a[:i] and b[:0]
		row[0] = i + 1
		for j := range b {
			cost := 1
			if a[i] == b[j] {
				cost = 0
			}
			next := min(row[j+1]+1, row[j]+1, diagonal+cost)
			diagonal = row[j+1]
			row[j+1] = next
		}
	}
	return row[len(b)]
}
