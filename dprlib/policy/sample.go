package policy

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"github.com/gomlx/compute"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
)

// SampleOptions sets how responses are decoded.
type SampleOptions struct {
	// Temperature τ divides the logits before sampling. 0 selects greedy
	// decoding (argmax, ties to the lowest id); otherwise it must be positive.
	Temperature float64
	// TopK keeps only the K most likely tokens at each step; 0 keeps all.
	TopK int
	// TopP keeps the smallest set of most likely tokens whose probability
	// reaches TopP (nucleus sampling); 0 or 1 keeps all.
	TopP float64
	// MaxNewTokens caps the response length, EOS included; 0 means up to the
	// model context.
	MaxNewTokens int
	// EOS is the id that ends a response.
	EOS int32
	// Pad is the id fed for rows that have already finished.
	Pad int32
}

// Validate reports an option that cannot decode.
func (o SampleOptions) Validate() error {
	switch {
	case o.Temperature < 0 || math.IsNaN(o.Temperature) || math.IsInf(o.Temperature, 0):
		return fmt.Errorf("temperature %g is invalid: use a positive number, or 0 for greedy decoding",
			o.Temperature)
	case o.TopK < 0:
		return fmt.Errorf("top-k %d is invalid: use 0 (off) or a positive count", o.TopK)
	case o.TopP < 0 || o.TopP > 1 || math.IsNaN(o.TopP):
		return fmt.Errorf("top-p %g is invalid: use a value in (0, 1], or 0 for off", o.TopP)
	case o.MaxNewTokens < 0:
		return fmt.Errorf("max new tokens %d is invalid: use 0 (up to the context) or a positive count",
			o.MaxNewTokens)
	}
	return nil
}

// Sampler decodes responses with a key-value cache, so each new token costs
// one position of compute instead of the whole prefix.
type Sampler struct {
	cfg     Config
	backend compute.Backend
	exec    *Exec
}

// NewSampler compiles (lazily, per batch size) the cached decoding step for cfg.
func NewSampler(backend compute.Backend, cfg Config) (*Sampler, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	n := len(cfg.ParamShapes())
	exec, err := NewExec(backend, func(inputs []*Node) []*Node {
		w := unpackWeights(cfg, inputs[:n])
		logits, keys, values := w.decodeStep(inputs[n], inputs[n+1], inputs[n+2], inputs[n+3])
		return []*Node{logits, keys, values}
	})
	if err != nil {
		return nil, fmt.Errorf("build decoding graph: %w", err)
	}
	return &Sampler{cfg: cfg, backend: backend, exec: exec.WithName("decode_step")}, nil
}

// Generate continues each prompt with a response drawn from model m. Prompts
// are processed together as one batch; a row ends at EOS, at MaxNewTokens or
// at the model context. It returns the response tokens of each row (EOS
// included when it was produced) and, for each token, log π(y_t|s_t) under m
// at temperature 1, as computed by the cached decoder. The draws come from rng
// only, so the same weights, prompts, options and rng state give the same
// responses.
func (s *Sampler) Generate(m *Model, prompts [][]int32, opts SampleOptions, rng *rand.Rand) (
	responses [][]int32, logProbs [][]float32, err error) {
	if err := opts.Validate(); err != nil {
		return nil, nil, err
	}
	if m.Config != s.cfg {
		return nil, nil, fmt.Errorf("model config %+v does not match the sampler's %+v", m.Config, s.cfg)
	}
	if opts.Temperature > 0 && rng == nil {
		return nil, nil, fmt.Errorf("sampling at temperature %g needs a random source; pass a seeded *rand.Rand",
			opts.Temperature)
	}
	cfg := s.cfg
	rows := len(prompts)
	if rows == 0 {
		return nil, nil, nil
	}
	limits := make([]int, rows) // Total length at which each row stops.
	seqs := make([][]int32, rows)
	logProbs = make([][]float32, rows)
	for r, p := range prompts {
		if len(p) == 0 || len(p) >= cfg.Context {
			return nil, nil, fmt.Errorf("prompt %d has %d tokens: it needs between 1 and %d (context − 1)",
				r, len(p), cfg.Context-1)
		}
		for _, id := range p {
			if id < 0 || int(id) >= cfg.VocabSize {
				return nil, nil, fmt.Errorf("prompt %d holds token id %d outside the vocabulary [0, %d)",
					r, id, cfg.VocabSize)
			}
		}
		limits[r] = cfg.Context
		if opts.MaxNewTokens > 0 && len(p)+opts.MaxNewTokens < limits[r] {
			limits[r] = len(p) + opts.MaxNewTokens
		}
		seqs[r] = append([]int32(nil), p...)
	}

	cacheDims := []int{cfg.Depth, rows, cfg.Heads, cfg.Context, cfg.headWidth()}
	cacheSize := cfg.Depth * rows * cfg.Heads * cfg.Context * cfg.headWidth()
	keys := tensors.FromFlatDataAndDimensions(make([]float32, cacheSize), cacheDims...)
	values := tensors.FromFlatDataAndDimensions(make([]float32, cacheSize), cacheDims...)
	defer func() {
		// After a failed step the caches may be donated already.
		for _, t := range []*tensors.Tensor{keys, values} {
			if t.Ok() {
				_ = t.FinalizeAll()
			}
		}
	}()

	done := make([]bool, rows)
	input := make([]int32, rows)
	probs := make([]float64, cfg.VocabSize)
	for pos := 0; pos < cfg.Context-1; pos++ {
		active := 0
		for r := range rows {
			if done[r] {
				input[r] = opts.Pad
				continue
			}
			active++
			input[r] = seqs[r][pos]
		}
		if active == 0 {
			break
		}
		// The caches are donated, so the step may write position pos in
		// place instead of copying them.
		donatedKeys, err := DonateTensorBuffer(keys, s.backend, 0)
		if err != nil {
			return nil, nil, err
		}
		donatedValues, err := DonateTensorBuffer(values, s.backend, 0)
		if err != nil {
			return nil, nil, err
		}
		args := append(m.paramArgs(), tensors.FromFlatDataAndDimensions(input, rows), int32(pos),
			donatedKeys, donatedValues)
		out, err := s.exec.Call(args...)
		if err != nil {
			return nil, nil, fmt.Errorf("decoding position %d: %w", pos, err)
		}
		keys, values = out[1], out[2]
		logits := tensors.MustCopyFlatData[float32](out[0])
		out[0].MustFinalizeAll()

		for r := range rows {
			if done[r] || pos+1 < len(prompts[r]) {
				continue // Finished, or still reading the prompt.
			}
			row := logits[r*cfg.VocabSize : (r+1)*cfg.VocabSize]
			next := pick(row, opts, rng, probs)
			seqs[r] = append(seqs[r], next)
			logProbs[r] = append(logProbs[r], logSoftmaxAt(row, next))
			if next == opts.EOS || len(seqs[r]) >= limits[r] {
				done[r] = true
			}
		}
	}
	responses = make([][]int32, rows)
	for r := range rows {
		responses[r] = seqs[r][len(prompts[r]):]
	}
	return responses, logProbs, nil
}

// logSoftmaxAt returns log softmax(logits)[id], computed in float64.
func logSoftmaxAt(logits []float32, id int32) float32 {
	maxZ := math.Inf(-1)
	for _, z := range logits {
		maxZ = math.Max(maxZ, float64(z))
	}
	sum := 0.0
	for _, z := range logits {
		sum += math.Exp(float64(z) - maxZ)
	}
	return float32(float64(logits[id]) - maxZ - math.Log(sum))
}

// pick draws one token id from logits under opts; probs is scratch space of
// the vocabulary size.
func pick(logits []float32, opts SampleOptions, rng *rand.Rand, probs []float64) int32 {
	if opts.Temperature == 0 {
		best := 0
		for i, z := range logits {
			if z > logits[best] {
				best = i
			}
		}
		return int32(best)
	}
	// Softmax of z/τ in float64.
	maxZ := math.Inf(-1)
	for _, z := range logits {
		maxZ = math.Max(maxZ, float64(z))
	}
	sum := 0.0
	for i, z := range logits {
		probs[i] = math.Exp((float64(z) - maxZ) / opts.Temperature)
		sum += probs[i]
	}
	for i := range probs {
		probs[i] /= sum
	}
	if (opts.TopK > 0 && opts.TopK < len(probs)) || (opts.TopP > 0 && opts.TopP < 1) {
		truncate(probs, opts.TopK, opts.TopP)
	}
	u := rng.Float64()
	acc := 0.0
	last := 0
	for i, p := range probs {
		if p == 0 {
			continue
		}
		acc += p
		last = i
		if u < acc {
			return int32(i)
		}
	}
	return int32(last) // Rounding left u just above the total.
}

// truncate zeroes all but the top-k and top-p tokens of probs and
// renormalises. Ties keep the lower id first.
func truncate(probs []float64, topK int, topP float64) {
	order := make([]int, len(probs))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return probs[order[a]] > probs[order[b]] })
	keep := len(order)
	if topK > 0 && topK < keep {
		keep = topK
	}
	if topP > 0 && topP < 1 {
		acc := 0.0
		for i := 0; i < keep; i++ {
			acc += probs[order[i]]
			if acc >= topP {
				keep = i + 1
				break
			}
		}
	}
	sum := 0.0
	for i, id := range order {
		if i >= keep {
			probs[id] = 0
		} else {
			sum += probs[id]
		}
	}
	for i := range probs {
		probs[i] /= sum
	}
}
