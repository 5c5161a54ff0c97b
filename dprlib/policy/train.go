package policy

import (
	"fmt"
	"math"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
)

// AdamConfig sets the optimiser of a Trainer.
type AdamConfig struct {
	// LearningRate is the step size α.
	LearningRate float64 `json:"learning_rate"`
	// Beta1 and Beta2 are the decay rates of the first and second moment.
	Beta1 float64 `json:"beta1"`
	Beta2 float64 `json:"beta2"`
	// Epsilon is added to √v̂ in the denominator.
	Epsilon float64 `json:"epsilon"`
	// WeightDecay is the decoupled (AdamW) decay rate applied to matrices and
	// embeddings, never to biases or layer-norm gains. 0 disables it.
	WeightDecay float64 `json:"weight_decay"`
	// ClipNorm rescales the gradient when its global L2 norm exceeds it.
	// 0 disables clipping.
	ClipNorm float64 `json:"clip_norm"`
}

// DefaultAdam returns α = 1e-3, β = (0.9, 0.999), ε = 1e-8, no weight decay,
// clipping at global norm 1.
func DefaultAdam() AdamConfig {
	return AdamConfig{LearningRate: 1e-3, Beta1: 0.9, Beta2: 0.999, Epsilon: 1e-8, ClipNorm: 1}
}

// Validate reports a setting that cannot train.
func (a AdamConfig) Validate() error {
	switch {
	case !(a.LearningRate > 0) || math.IsInf(a.LearningRate, 0):
		return fmt.Errorf("learning rate %g is invalid: it must be a positive finite number", a.LearningRate)
	case !(a.Beta1 >= 0 && a.Beta1 < 1):
		return fmt.Errorf("Adam beta1 %g is invalid: it must be in [0, 1)", a.Beta1)
	case !(a.Beta2 >= 0 && a.Beta2 < 1):
		return fmt.Errorf("Adam beta2 %g is invalid: it must be in [0, 1)", a.Beta2)
	case !(a.Epsilon > 0) || math.IsInf(a.Epsilon, 0):
		return fmt.Errorf("Adam epsilon %g is invalid: it must be a positive finite number", a.Epsilon)
	case !(a.WeightDecay >= 0) || math.IsInf(a.WeightDecay, 0):
		return fmt.Errorf("weight decay %g is invalid: it must be 0 or a positive finite number", a.WeightDecay)
	case !(a.ClipNorm >= 0) || math.IsInf(a.ClipNorm, 0):
		return fmt.Errorf("clip norm %g is invalid: it must be 0 (off) or a positive finite number", a.ClipNorm)
	}
	return nil
}

// Trainer updates a Model in place by Adam on a weighted log-likelihood:
//
//	loss = −Σ_{r,t} w[r, t] · log π(tokens[r, t+1] | tokens[r, ≤t])
//
// With w = mask/(number of response tokens) this is the prompt-masked SFT
// loss; with w = advantage/rows it is the REINFORCE surrogate of DPR.
type Trainer struct {
	Model *Model
	Adam  AdamConfig
	// Steps counts the updates applied so far.
	Steps int

	exec   *Exec
	first  []*tensors.Tensor // Adam first moments, one per weight.
	second []*tensors.Tensor // Adam second moments, one per weight.
}

// StepResult reports one update.
type StepResult struct {
	// Loss is the weighted negative log-likelihood before the update.
	Loss float64
	// GradNorm is the global L2 norm of the gradient before clipping.
	GradNorm float64
}

// NewTrainer prepares Adam state (zero moments) for m.
func NewTrainer(backend compute.Backend, m *Model, adam AdamConfig) (*Trainer, error) {
	if err := adam.Validate(); err != nil {
		return nil, err
	}
	shapes := m.Config.ParamShapes()
	t := &Trainer{Model: m, Adam: adam}
	for _, ps := range shapes {
		t.first = append(t.first, tensors.FromFlatDataAndDimensions(make([]float32, ps.Size()), ps.Dims...))
		t.second = append(t.second, tensors.FromFlatDataAndDimensions(make([]float32, ps.Size()), ps.Dims...))
	}
	decays := make([]bool, len(shapes))
	for i, ps := range shapes {
		kind := paramKind(ps.Name)
		decays[i] = kind == "matrix" || kind == "residual"
	}
	cfg := m.Config
	n := len(shapes)
	exec, err := NewExec(backend, func(inputs []*Node) []*Node {
		params, first, second := inputs[:n], inputs[n:2*n], inputs[2*n:3*n]
		tokens, lossWeights, hyper := inputs[3*n], inputs[3*n+1], inputs[3*n+2]
		return adamStep(cfg, adam, decays, params, first, second, tokens, lossWeights, hyper)
	})
	if err != nil {
		return nil, fmt.Errorf("build training graph: %w", err)
	}
	t.exec = exec.WithName("train_step")
	return t, nil
}

// adamStep builds one Adam update. hyper holds [learning rate, step number]
// so that a schedule does not recompile the graph. It returns the new
// weights, moments, the loss and the gradient norm.
func adamStep(cfg Config, adam AdamConfig, decays []bool, params, first, second []*Node,
	tokens, lossWeights, hyper *Node) []*Node {
	w := unpackWeights(cfg, params)
	logProb, _, _ := w.tokenTerms(tokens)
	loss := Neg(ReduceAllSum(Mul(logProb, lossWeights)))
	grads := Gradient(loss, params...)

	sumSquares := ScalarZero(loss.Graph(), dtypes.Float32)
	for _, g := range grads {
		sumSquares = Add(sumSquares, ReduceAllSum(Square(g)))
	}
	gradNorm := Sqrt(sumSquares)
	clip := OnesLike(gradNorm)
	if adam.ClipNorm > 0 {
		// clip = min(1, ClipNorm / ‖g‖).
		clip = Min(clip, Div(scalarLike(gradNorm, adam.ClipNorm), MaxScalar(gradNorm, 1e-12)))
	}

	lr := Slice(hyper, AxisElem(0))
	step := Slice(hyper, AxisElem(1))
	lr = Squeeze(lr, 0)
	step = Squeeze(step, 0)
	// Bias corrections 1 − β^step.
	correction1 := OneMinus(Pow(scalarLike(step, adam.Beta1), step))
	correction2 := OneMinus(Pow(scalarLike(step, adam.Beta2), step))

	n := len(params)
	outs := make([]*Node, 0, 3*n+2)
	newFirst := make([]*Node, n)
	newSecond := make([]*Node, n)
	newParams := make([]*Node, n)
	for i, p := range params {
		g := Mul(grads[i], clip)
		// m ← β1·m + (1 − β1)·g;  v ← β2·v + (1 − β2)·g².
		newFirst[i] = Add(MulScalar(first[i], adam.Beta1), MulScalar(g, 1-adam.Beta1))
		newSecond[i] = Add(MulScalar(second[i], adam.Beta2), MulScalar(Square(g), 1-adam.Beta2))
		// p ← p − α·(m̂/(√v̂ + ε) + λ·p), with m̂ = m/(1 − β1^step), v̂ = v/(1 − β2^step).
		mHat := Div(newFirst[i], correction1)
		vHat := Div(newSecond[i], correction2)
		update := Div(mHat, AddScalar(Sqrt(vHat), adam.Epsilon))
		if decays[i] && adam.WeightDecay > 0 {
			update = Add(update, MulScalar(p, adam.WeightDecay))
		}
		newParams[i] = Sub(p, Mul(lr, update))
	}
	outs = append(outs, newParams...)
	outs = append(outs, newFirst...)
	outs = append(outs, newSecond...)
	return append(outs, loss, gradNorm)
}

// Step applies one Adam update at the trainer's learning rate.
func (t *Trainer) Step(b Batch, lossWeights []float32) (StepResult, error) {
	return t.StepWithRate(b, lossWeights, t.Adam.LearningRate)
}

// StepWithRate applies one Adam update with step size lr. lossWeights has
// Rows·(Length−1) entries, one per transition of b. If the loss or gradient
// is NaN or infinite the weights are left unchanged and an error is returned.
func (t *Trainer) StepWithRate(b Batch, lossWeights []float32, lr float64) (StepResult, error) {
	if err := b.check(t.Model.Config); err != nil {
		return StepResult{}, err
	}
	if want := b.Rows * (b.Length - 1); len(lossWeights) != want {
		return StepResult{}, fmt.Errorf("got %d loss weights for a %d×%d batch, want %d",
			len(lossWeights), b.Rows, b.Length, want)
	}
	n := len(t.Model.Params)
	args := make([]any, 0, 3*n+3)
	args = append(args, t.Model.paramArgs()...)
	for _, m := range t.first {
		args = append(args, m)
	}
	for _, v := range t.second {
		args = append(args, v)
	}
	weights := tensors.FromFlatDataAndDimensions(lossWeights, b.Rows, b.Length-1)
	hyper := tensors.FromFlatDataAndDimensions([]float32{float32(lr), float32(t.Steps + 1)}, 2)
	args = append(args, b.tensor(), weights, hyper)
	out, err := t.exec.Call(args...)
	if err != nil {
		return StepResult{}, fmt.Errorf("training step %d: %w", t.Steps+1, err)
	}
	res := StepResult{
		Loss:     float64(tensors.ToScalar[float32](out[3*n])),
		GradNorm: float64(tensors.ToScalar[float32](out[3*n+1])),
	}
	if !isFinite(res.Loss) || !isFinite(res.GradNorm) {
		for _, o := range out {
			o.MustFinalizeAll()
		}
		return res, fmt.Errorf("training step %d: loss %g, gradient norm %g: the run diverged; "+
			"lower the learning rate (now %g) or check the data", t.Steps+1, res.Loss, res.GradNorm, lr)
	}
	for i := range n {
		t.Model.Params[i].MustFinalizeAll()
		t.first[i].MustFinalizeAll()
		t.second[i].MustFinalizeAll()
		t.Model.Params[i] = out[i]
		t.first[i] = out[n+i]
		t.second[i] = out[2*n+i]
	}
	t.Steps++
	return res, nil
}

func isFinite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
