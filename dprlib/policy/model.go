package policy

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gomlx/gomlx/core/tensors"
)

// Model is a transformer's configuration and weights, held as host tensors in
// the order of Config.ParamShapes.
type Model struct {
	Config Config
	Params []*tensors.Tensor
}

// initStd is the standard deviation of the initial embedding and projection
// weights (as in GPT-2).
const initStd = 0.02

// New returns a model with freshly initialised weights. The same config and
// seed always give bit-identical weights: they are drawn on the host from a
// PCG generator seeded with seed, independently of the backend.
//
// Matrices and embeddings are normal(0, 0.02); the projections that write into
// the residual stream (attention output, second feed-forward matrix) are
// scaled down by 1/√(2·Depth); biases are 0 and layer-norm gains are 1.
func New(cfg Config, seed uint64) (*Model, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("invalid model config: %w", err)
	}
	rng := rand.New(rand.NewPCG(seed, 0x5eed_d0c5))
	residualStd := initStd / math.Sqrt(2*float64(cfg.Depth))
	shapes := cfg.ParamShapes()
	params := make([]*tensors.Tensor, len(shapes))
	for i, ps := range shapes {
		values := make([]float32, ps.Size())
		switch kind := paramKind(ps.Name); kind {
		case "gain":
			for j := range values {
				values[j] = 1
			}
		case "bias":
			// Zero.
		default:
			std := initStd
			if kind == "residual" {
				std = residualStd
			}
			for j := range values {
				values[j] = float32(rng.NormFloat64() * std)
			}
		}
		params[i] = tensors.FromFlatDataAndDimensions(values, ps.Dims...)
	}
	return &Model{Config: cfg, Params: params}, nil
}

// paramKind classifies a weight by name for initialisation and weight decay.
func paramKind(name string) string {
	switch {
	case hasSuffix(name, "_gain"):
		return "gain"
	case hasSuffix(name, "_bias"):
		return "bias"
	case hasSuffix(name, "attn_out_weight"), hasSuffix(name, "mlp_out_weight"):
		return "residual"
	default:
		return "matrix"
	}
}

func hasSuffix(s, suffix string) bool {
	return len(s) >= len(suffix) && s[len(s)-len(suffix):] == suffix
}

// Clone returns a deep copy of m whose weights can be changed independently.
func (m *Model) Clone() (*Model, error) {
	params := make([]*tensors.Tensor, len(m.Params))
	for i, p := range m.Params {
		values, err := tensors.CopyFlatData[float32](p)
		if err != nil {
			return nil, fmt.Errorf("copy weight %s: %w", m.Config.ParamShapes()[i].Name, err)
		}
		params[i] = tensors.FromFlatDataAndDimensions(values, p.Shape().Dimensions...)
	}
	return &Model{Config: m.Config, Params: params}, nil
}

// paramArgs returns the weights as executor arguments.
func (m *Model) paramArgs() []any {
	args := make([]any, len(m.Params))
	for i, p := range m.Params {
		args[i] = p
	}
	return args
}

// SameWeights reports whether a and b have equal configs and bit-identical
// weights.
func SameWeights(a, b *Model) (bool, error) {
	if a.Config != b.Config {
		return false, nil
	}
	for i := range a.Params {
		x, err := tensors.CopyFlatData[float32](a.Params[i])
		if err != nil {
			return false, err
		}
		y, err := tensors.CopyFlatData[float32](b.Params[i])
		if err != nil {
			return false, err
		}
		for j := range x {
			if math.Float32bits(x[j]) != math.Float32bits(y[j]) {
				return false, nil
			}
		}
	}
	return true, nil
}
