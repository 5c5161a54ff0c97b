// Package credit measures whether the dense reward
//
//	r̂_t = log π_SFT(y_t|s_t) − log π_ref(y_t|s_t)
//
// assigns credit to individual tokens, with two tests:
//
//   - Corruption (Corrupt): one token of a correct response is replaced by a
//     different token, both sequences are scored, and Δr̂ is recorded at every
//     position relative to the corrupted one. A reward that localises errors
//     drops at the corrupted token. Positions before it cannot change under a
//     causal model, so any change there is reported as a masking bug.
//   - Localisation (Localise): on the policy's own incorrect samples, −r̂
//     serves as a detector that separates the first wrong token from the
//     correct tokens before it. The ROC AUC and the top-1 rate summarise it,
//     next to the same numbers for log π_SFT alone (the "baseline removal"
//     reward).
//
// Both return per-sequence records for display and a summary of per-run
// scalars. Running each test once per training seed gives one summary per
// seed, the input of a bootstrap interval across seeds.
package credit

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
)

// DefaultBatchSize is the number of sequences scored per graph call when an
// option leaves the batch size at 0.
const DefaultBatchSize = 32

// ErrUndefinedAUC is returned, wrapped, when an AUC has no positive or no
// negative item to compare, for example when every sample is correct.
var ErrUndefinedAUC = errors.New("the ROC AUC is undefined")

// AUC returns the area under the ROC curve of a score that should be higher on
// positive items than on negative ones. It is the Mann–Whitney statistic
//
//	AUC = 1/(n₊·n₋) · Σ_{i ∈ pos} Σ_{j ∈ neg} ([s_i > s_j] + ½·[s_i = s_j])
//
// computed in O(n log n) from one sort of the pooled scores: 1 when every
// positive scores above every negative, 0.5 for a score that carries no
// information. An empty class returns an error wrapping ErrUndefinedAUC, and
// a NaN score an error that names it.
func AUC(positive, negative []float64) (float64, error) {
	if len(positive) == 0 || len(negative) == 0 {
		return 0, fmt.Errorf("%w: %d positive and %d negative items, and it needs at least one of each",
			ErrUndefinedAUC, len(positive), len(negative))
	}
	type item struct {
		score    float64
		positive bool
	}
	items := make([]item, 0, len(positive)+len(negative))
	for i, s := range positive {
		if math.IsNaN(s) {
			return 0, fmt.Errorf("positive score %d is NaN: the AUC needs ordered scores", i)
		}
		items = append(items, item{s, true})
	}
	for i, s := range negative {
		if math.IsNaN(s) {
			return 0, fmt.Errorf("negative score %d is NaN: the AUC needs ordered scores", i)
		}
		items = append(items, item{s, false})
	}
	slices.SortFunc(items, func(a, b item) int { return cmp.Compare(a.score, b.score) })

	// Walk the groups of tied scores in increasing order. A positive in a
	// group beats every negative below the group and ties with the group's
	// negatives, so it adds 2·below + tied to 2U. Counting 2U keeps the sum
	// an exact integer.
	var twiceU int64
	below := 0
	for lo := 0; lo < len(items); {
		hi, pos, neg := lo, 0, 0
		for hi < len(items) && items[hi].score == items[lo].score {
			if items[hi].positive {
				pos++
			} else {
				neg++
			}
			hi++
		}
		twiceU += int64(pos) * int64(2*below+neg)
		below += neg
		lo = hi
	}
	return float64(twiceU) / (2 * float64(len(positive)) * float64(len(negative))), nil
}

// batchSizeOrDefault returns n, or DefaultBatchSize when n is 0.
func batchSizeOrDefault(n int) int {
	if n == 0 {
		return DefaultBatchSize
	}
	return n
}
