package policy

import (
	"math"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
)

// layerNormEpsilon is added to the variance in every layer norm.
const layerNormEpsilon = 1e-5

// maskedLogit is the score given to attention entries a query may not see.
const maskedLogit = -1e9

// block holds the graph nodes of one transformer block's weights.
type block struct {
	ln1Gain, ln1Bias, qkvWeight, qkvBias, outWeight, outBias *Node
	ln2Gain, ln2Bias, mlpInWeight, mlpInBias, mlpOutWeight   *Node
	mlpOutBias                                               *Node
}

// weights holds the graph nodes of all the model's weights.
type weights struct {
	cfg                           Config
	tokenEmbedding, posEmbedding  *Node
	blocks                        []block
	finalGain, finalBias, headOut *Node
}

// unpackWeights names the first len(ParamShapes) nodes of params.
func unpackWeights(cfg Config, params []*Node) weights {
	w := weights{cfg: cfg, tokenEmbedding: params[0], posEmbedding: params[1]}
	i := 2
	for range cfg.Depth {
		p := params[i : i+paramsPerBlock]
		w.blocks = append(w.blocks, block{
			ln1Gain: p[0], ln1Bias: p[1], qkvWeight: p[2], qkvBias: p[3], outWeight: p[4], outBias: p[5],
			ln2Gain: p[6], ln2Bias: p[7], mlpInWeight: p[8], mlpInBias: p[9], mlpOutWeight: p[10],
			mlpOutBias: p[11],
		})
		i += paramsPerBlock
	}
	w.finalGain, w.finalBias, w.headOut = params[i], params[i+1], params[i+2]
	return w
}

// layerNorm normalises x over its last axis: (x − mean)/√(var + ε)·gain + bias.
func layerNorm(x, gain, bias *Node) *Node {
	mean := ReduceAndKeep(x, ReduceMean, -1)
	centred := Sub(x, mean)
	variance := ReduceAndKeep(Square(centred), ReduceMean, -1)
	normed := Div(centred, Sqrt(AddScalar(variance, layerNormEpsilon)))
	rank := x.Rank()
	return Add(Mul(normed, ExpandLeftToRank(gain, rank)), ExpandLeftToRank(bias, rank))
}

// dense applies x·weight + bias to x of shape [..., in], with weight [in, out].
// It flattens the leading axes so the product is one matrix multiplication.
func dense(x, weight, bias *Node) *Node {
	dims := x.Shape().Dimensions
	in := dims[len(dims)-1]
	out := weight.Shape().Dimensions[1]
	flat := Reshape(x, -1, in)
	y := MatMul(flat, weight)
	if bias != nil {
		y = Add(y, ExpandAxes(bias, 0))
	}
	outDims := append(append([]int{}, dims[:len(dims)-1]...), out)
	return Reshape(y, outDims...)
}

// gelu is the Gaussian error linear unit with the tanh approximation:
// 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
func gelu(x *Node) *Node {
	decomposed := func() *Node {
		inner := MulScalar(Add(x, MulScalar(Mul(Square(x), x), 0.044715)), math.Sqrt(2/math.Pi))
		return Mul(MulScalar(x, 0.5), OnePlus(Tanh(inner)))
	}
	out, _ := InternalFusedOpCaller(func() *Node {
		return BackendFusedActivation(x, compute.ActivationConfig{Type: compute.ActivationGeluApproximate})
	}, decomposed, false)
	return out
}

// logits returns the next-token logits [B, T, V] for tokens [B, T] (int32).
// Position t sees tokens 0..t only.
func (w weights) logits(tokens *Node) *Node {
	g := tokens.Graph()
	batch, length := tokens.Shape().Dimensions[0], tokens.Shape().Dimensions[1]
	d, heads, hw := w.cfg.Width, w.cfg.Heads, w.cfg.headWidth()

	x := Gather(w.tokenEmbedding, ExpandAxes(tokens, -1))
	x = Add(x, ExpandAxes(Slice(w.posEmbedding, AxisRange(0, length)), 0))

	// Causal mask [T, T]: query q may attend to key k iff k ≤ q.
	queryPos := Iota(g, shapes.Make(dtypes.Int32, length, length), 0)
	keyPos := Iota(g, shapes.Make(dtypes.Int32, length, length), 1)
	visible := GreaterOrEqual(queryPos, keyPos)
	zeros := Zeros(g, shapes.Make(dtypes.Float32, length, length))
	maskBias := ExpandLeftToRank(Where(visible, zeros, AddScalar(zeros, maskedLogit)), 4)
	scale := 1 / math.Sqrt(float64(hw))

	for _, b := range w.blocks {
		h := layerNorm(x, b.ln1Gain, b.ln1Bias)
		qkv := dense(h, b.qkvWeight, b.qkvBias)
		qkv = Reshape(qkv, batch, length, 3, heads, hw)
		q := Squeeze(Slice(qkv, AxisRange(), AxisRange(), AxisElem(0)), 2)
		k := Squeeze(Slice(qkv, AxisRange(), AxisRange(), AxisElem(1)), 2)
		v := Squeeze(Slice(qkv, AxisRange(), AxisRange(), AxisElem(2)), 2)

		scores := MulScalar(Einsum("bqhd,bkhd->bhqk", q, k), scale)
		scores = Add(scores, maskBias)
		attn := Softmax(scores, -1)
		mixed := Einsum("bhqk,bkhd->bqhd", attn, v)
		mixed = Reshape(mixed, batch, length, d)
		x = Add(x, dense(mixed, b.outWeight, b.outBias))

		h = layerNorm(x, b.ln2Gain, b.ln2Bias)
		h = gelu(dense(h, b.mlpInWeight, b.mlpInBias))
		x = Add(x, dense(h, b.mlpOutWeight, b.mlpOutBias))
	}
	x = layerNorm(x, w.finalGain, w.finalBias)
	return dense(x, w.headOut, nil)
}

// scalarLike returns a scalar constant of x's dtype.
func scalarLike(x *Node, value float64) *Node {
	return Scalar(x.Graph(), x.DType(), value)
}

// tokenTerms returns, for tokens [B, T], the per-position quantities of the
// token MDP at positions 0..T−2, each [B, T−1]:
//
//	logProb[b, t]  = log π(tokens[b, t+1] | tokens[b, ≤t])
//	q[b, t]        = Q(s, a) = z(s, a), the logit of the next token
//	value[b, t]    = V(s) = logsumexp_a z(s, a)
//
// so that logProb = q − value.
func (w weights) tokenTerms(tokens *Node) (logProb, q, value *Node) {
	length := tokens.Shape().Dimensions[1]
	z := w.logits(tokens)
	z = Slice(z, AxisRange(), AxisRange(0, length-1))
	next := Slice(tokens, AxisRange(), AxisRange(1, length))
	onehot := OneHot(next, w.cfg.VocabSize, z.DType())
	q = ReduceSum(Mul(z, onehot), -1)
	value = logSumExp(z)
	logProb = Sub(q, value)
	return logProb, q, value
}

// logSumExp reduces the last axis: log Σ_a exp(z_a), computed stably.
func logSumExp(z *Node) *Node {
	maxZ := StopGradient(ReduceAndKeep(z, ReduceMax, -1))
	sum := ReduceSum(Exp(Sub(z, maxZ)), -1)
	return Add(Log(sum), Squeeze(maxZ, -1))
}
