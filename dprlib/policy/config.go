// Package policy is the language model of the kit: a causal transformer over
// token ids whose logits are read as a soft Q-function, Q(s, a) = z(s, a).
//
// A Model holds the weights as host tensors plus a Config. The graphs that
// use them (teacher-forced log-probabilities, the Adam training step and the
// KV-cached decoding step) take the weights as explicit inputs, so the same
// compiled graph serves the policy, π_SFT and π_ref alike.
package policy

import (
	"errors"
	"fmt"
)

// Config is the shape of a transformer. All sizes are counts.
type Config struct {
	// VocabSize is the number of token ids, special tokens included.
	VocabSize int `json:"vocab_size"`
	// Width is the model (residual stream) width, d_model.
	Width int `json:"width"`
	// Depth is the number of transformer blocks.
	Depth int `json:"depth"`
	// Heads is the number of attention heads; it must divide Width.
	Heads int `json:"heads"`
	// Context is the longest token sequence the model accepts, prompt and
	// response together.
	Context int `json:"context"`
	// MLPRatio is the hidden width of each feed-forward block over Width.
	MLPRatio int `json:"mlp_ratio"`
}

// DefaultConfig returns the model used by the quick profile for a given
// vocabulary: width 64, 2 blocks, 4 heads, context 64.
func DefaultConfig(vocabSize int) Config {
	return Config{VocabSize: vocabSize, Width: 64, Depth: 2, Heads: 4, Context: 64, MLPRatio: 4}
}

// Upper bounds on a Config. They are far above any model the kit trains on a
// CPU and stop a mistyped flag from building a graph that exhausts memory.
const (
	MaxVocabSize = 1 << 20
	MaxWidth     = 8192
	MaxDepth     = 128
	MaxContext   = 8192
	MaxMLPRatio  = 64
)

// String returns the shape in flag form, such as "width 64, depth 2, heads
// 4, context 64, MLP ratio 4, vocabulary 23".
func (c Config) String() string {
	return fmt.Sprintf("width %d, depth %d, heads %d, context %d, MLP ratio %d, vocabulary %d",
		c.Width, c.Depth, c.Heads, c.Context, c.MLPRatio, c.VocabSize)
}

// Validate reports every field of c that cannot build a model.
func (c Config) Validate() error {
	var errs []error
	if c.VocabSize < 2 {
		errs = append(errs, fmt.Errorf("vocabulary size %d is too small: it must be at least 2", c.VocabSize))
	}
	if c.Width < 1 {
		errs = append(errs, fmt.Errorf("width %d is invalid: it must be positive", c.Width))
	}
	if c.Depth < 1 {
		errs = append(errs, fmt.Errorf("depth %d is invalid: it must be at least 1", c.Depth))
	}
	if c.Heads < 1 || (c.Width > 0 && c.Width%c.Heads != 0) {
		errs = append(errs, fmt.Errorf("heads %d is invalid: it must be positive and divide width %d",
			c.Heads, c.Width))
	}
	if c.Context < 2 {
		errs = append(errs, fmt.Errorf("context %d is too short: it must be at least 2 tokens", c.Context))
	}
	if c.MLPRatio < 1 {
		errs = append(errs, fmt.Errorf("MLP ratio %d is invalid: it must be at least 1", c.MLPRatio))
	}
	for _, limit := range []struct {
		name       string
		value, max int
	}{
		{"vocabulary size", c.VocabSize, MaxVocabSize}, {"width", c.Width, MaxWidth},
		{"depth", c.Depth, MaxDepth}, {"context", c.Context, MaxContext}, {"MLP ratio", c.MLPRatio, MaxMLPRatio},
	} {
		if limit.value > limit.max {
			errs = append(errs, fmt.Errorf("%s %d is too large: the kit accepts at most %d",
				limit.name, limit.value, limit.max))
		}
	}
	return errors.Join(errs...)
}

// headWidth is the width of one attention head.
func (c Config) headWidth() int { return c.Width / c.Heads }

// ParamShape names one weight tensor and its dimensions.
type ParamShape struct {
	Name string `json:"name"`
	Dims []int  `json:"dims"`
}

// Size returns the number of elements of the tensor.
func (p ParamShape) Size() int {
	n := 1
	for _, d := range p.Dims {
		n *= d
	}
	return n
}

// ParamShapes lists every weight of the model in the fixed order used by the
// graphs and the checkpoint file.
//
// Per block: ln1 gain and bias, the fused query-key-value projection
// [Width, 3·Width] with its bias, the attention output projection, ln2, and
// the two feed-forward matrices. Then the final layer norm and the output
// head [Width, VocabSize], untied from the token embedding.
func (c Config) ParamShapes() []ParamShape {
	d, hidden := c.Width, c.Width*c.MLPRatio
	shapes := []ParamShape{
		{"token_embedding", []int{c.VocabSize, d}},
		{"position_embedding", []int{c.Context, d}},
	}
	for l := range c.Depth {
		p := fmt.Sprintf("block%d/", l)
		shapes = append(shapes,
			ParamShape{p + "ln1_gain", []int{d}},
			ParamShape{p + "ln1_bias", []int{d}},
			ParamShape{p + "qkv_weight", []int{d, 3 * d}},
			ParamShape{p + "qkv_bias", []int{3 * d}},
			ParamShape{p + "attn_out_weight", []int{d, d}},
			ParamShape{p + "attn_out_bias", []int{d}},
			ParamShape{p + "ln2_gain", []int{d}},
			ParamShape{p + "ln2_bias", []int{d}},
			ParamShape{p + "mlp_in_weight", []int{d, hidden}},
			ParamShape{p + "mlp_in_bias", []int{hidden}},
			ParamShape{p + "mlp_out_weight", []int{hidden, d}},
			ParamShape{p + "mlp_out_bias", []int{d}},
		)
	}
	shapes = append(shapes,
		ParamShape{"final_ln_gain", []int{d}},
		ParamShape{"final_ln_bias", []int{d}},
		ParamShape{"head_weight", []int{d, c.VocabSize}},
	)
	return shapes
}

// paramsPerBlock is the number of tensors ParamShapes lists for one block.
const paramsPerBlock = 12

// NumParams returns the number of scalar weights of the model.
func (c Config) NumParams() int {
	n := 0
	for _, p := range c.ParamShapes() {
		n += p.Size()
	}
	return n
}

// bytesPerFloat is the size of a float32.
const bytesPerFloat = 4

// TrainingBytes estimates the memory of one training step on a batch of
// rows × length tokens: the weights with their gradients, Adam moments and
// updated copies, plus the activations kept for the backward pass. It is a
// rough estimate, within a small factor, for refusing batches that cannot
// fit.
func (c Config) TrainingBytes(rows, length int) float64 {
	perTokenLayer := float64((10+2*c.MLPRatio)*c.Width + 2*c.Heads*length)
	perToken := float64(c.Depth)*perTokenLayer + float64(3*c.VocabSize+c.Width)
	activations := 2 * float64(rows) * float64(length) * perToken
	return bytesPerFloat * (8*float64(c.NumParams()) + activations)
}

// SamplingBytes estimates the memory of decoding rows sequences at once:
// the key and value caches of every block and the weights.
func (c Config) SamplingBytes(rows int) float64 {
	caches := 2 * float64(c.Depth) * float64(rows) * float64(c.Context) * float64(c.Width)
	return bytesPerFloat * (2*caches + float64(c.NumParams()))
}

// CheckMemory returns an error when need bytes exceed available bytes. An
// available of 0 means unknown, and then it returns nil. The message names
// the work (what) and the setting to lower (fix).
func CheckMemory(need, available float64, what, fix string) error {
	if available <= 0 || need <= available {
		return nil
	}
	return fmt.Errorf("%s needs about %.1f GiB, more than the %.1f GiB of this machine: %s",
		what, need/(1<<30), available/(1<<30), fix)
}
