package policy

import (
	"math"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
)

// decodeStep builds one step of cached decoding. tokens [B] (int32) are the
// tokens at position pos (a scalar int32, equal for all rows); keys and values
// [Depth, B, Heads, Context, headWidth] hold the cached projections of
// positions < pos. It returns the next-token logits [B, V] and the caches
// with position pos written.
//
// The result equals the last row of logits() on the whole prefix, but costs
// one position instead of pos+1.
func (w weights) decodeStep(tokens, pos, keys, values *Node) (logits, newKeys, newValues *Node) {
	g := tokens.Graph()
	cfg := w.cfg
	batch := tokens.Shape().Dimensions[0]
	d, heads, hw, ctx := cfg.Width, cfg.Heads, cfg.headWidth(), cfg.Context
	zero := ScalarZero(g, dtypes.Int32)

	x := Gather(w.tokenEmbedding, ExpandAxes(tokens, -1)) // [B, D]
	posRow := Gather(w.posEmbedding, Reshape(pos, 1, 1))  // [1, D]
	x = Add(x, posRow)

	// Key k is visible iff k ≤ pos.
	keyPos := Iota(g, shapes.Make(dtypes.Int32, ctx), 0)
	zeros := Zeros(g, shapes.Make(dtypes.Float32, ctx))
	maskBias := Where(LessOrEqual(keyPos, pos), zeros, AddScalar(zeros, maskedLogit))
	maskBias = ExpandLeftToRank(maskBias, 3) // [1, 1, C]
	scale := 1 / math.Sqrt(float64(hw))

	for l, b := range w.blocks {
		h := layerNorm(x, b.ln1Gain, b.ln1Bias)
		qkv := Reshape(dense(h, b.qkvWeight, b.qkvBias), batch, 3, heads, hw)
		q := Squeeze(Slice(qkv, AxisRange(), AxisElem(0)), 1) // [B, H, hw]
		k := Slice(qkv, AxisRange(), AxisElem(1))             // [B, 1, H, hw]
		v := Slice(qkv, AxisRange(), AxisElem(2))
		k = Reshape(k, 1, batch, heads, 1, hw)
		v = Reshape(v, 1, batch, heads, 1, hw)
		start := []*Node{Const(g, int32(l)), zero, zero, pos, zero}
		keys = DynamicUpdateSlice(keys, k, start)
		values = DynamicUpdateSlice(values, v, start)
		cachedK := Squeeze(Slice(keys, AxisElem(l)), 0) // [B, H, C, hw]
		cachedV := Squeeze(Slice(values, AxisElem(l)), 0)

		scores := MulScalar(Einsum("bhd,bhcd->bhc", q, cachedK), scale)
		scores = Add(scores, maskBias)
		attn := Softmax(scores, -1)
		mixed := Reshape(Einsum("bhc,bhcd->bhd", attn, cachedV), batch, d)
		x = Add(x, dense(mixed, b.outWeight, b.outBias))

		h = layerNorm(x, b.ln2Gain, b.ln2Bias)
		h = gelu(dense(h, b.mlpInWeight, b.mlpInBias))
		x = Add(x, dense(h, b.mlpOutWeight, b.mlpOutBias))
	}
	x = layerNorm(x, w.finalGain, w.finalBias)
	return dense(x, w.headOut, nil), keys, values
}
