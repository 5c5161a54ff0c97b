package selfplay

import "math"

// objective computes the loss of method at one step's log-ratios and, for
// each sequence, the weight w = −∂L/∂log π_θ(y|x) that the update puts on
// every response token of that sequence.
//
// demo[i] is Δ(y_w) of demonstration i and samples[i][j] is Δ(y_l) of the
// j-th sample drawn for the prompt of demonstration i, where
// Δ(y) = log π_θ(y|x) − log π_opp(y|x). Each demonstration forms one pair
// with each sample of its prompt.
//
// Why a weighted log-likelihood step is exact: log π_opp does not depend on
// θ, so ∇_θ Δ(y) = ∇_θ log π_θ(y|x) and, by the chain rule,
//
//	∇_θ L = Σ_y (∂L/∂Δ(y)) · ∇_θ log π_θ(y|x).
//
// The surrogate −Σ_y w_y · log π_θ(y|x) with w_y = −∂L/∂Δ(y) held fixed has
// the same gradient at the current θ, and Trainer.Step minimises exactly
// that surrogate when w_y sits on every response token of y.
//
// SPIN, over the P pairs (w, l) with z = β(Δ_w − Δ_l):
//
//	L = (1/P) Σ −log σ(z),   d(−log σ(z))/dz = −(1 − σ(z)) = −σ(−z)
//	∂L/∂Δ_l = +β σ(−z)/P,    so w_l = −β σ(−z)/P
//	∂L/∂Δ_w = −β σ(−z)/P,    summed over the pairs that share y_w:
//	w_w = Σ_l β σ(−z_{w,l})/P
//
// GSIL, over N_w demonstrations and N_l samples:
//
//	L = (1/N_w) Σ_w −log σ(βΔ_w) + (1/N_l) Σ_l −log σ(−βΔ_l)
//	w_w = β (1 − σ(βΔ_w))/N_w = β σ(−βΔ_w)/N_w
//	w_l = −β σ(βΔ_l)/N_l,    because d(−log σ(−x))/dx = σ(x)
//
// At π_θ = π_opp every Δ is 0: the SPIN loss is log 2, each pair gives β/2
// to its demonstration and −β/2 to its sample (before the 1/P), and the
// GSIL loss is 2·log 2 with weights ±β/2 (before 1/N_w and 1/N_l).
func objective(method Method, beta float64, demo []float64, samples [][]float64) (
	loss float64, demoWeight []float64, sampleWeight [][]float64) {
	demoWeight = make([]float64, len(demo))
	sampleWeight = make([][]float64, len(samples))
	pairs := 0
	for i := range samples {
		sampleWeight[i] = make([]float64, len(samples[i]))
		pairs += len(samples[i])
	}
	if len(demo) == 0 || pairs == 0 {
		return 0, demoWeight, sampleWeight
	}

	switch method {
	case GSIL:
		nw, nl := float64(len(demo)), float64(pairs)
		for i, d := range demo {
			loss -= logSigmoid(beta*d) / nw
			demoWeight[i] = beta * sigmoid(-beta*d) / nw
		}
		for i, row := range samples {
			for j, d := range row {
				loss -= logSigmoid(-beta*d) / nl
				sampleWeight[i][j] = -beta * sigmoid(beta*d) / nl
			}
		}
	default:
		p := float64(pairs)
		for i, row := range samples {
			for j, d := range row {
				z := beta * (demo[i] - d)
				loss -= logSigmoid(z) / p
				g := beta * sigmoid(-z) / p
				demoWeight[i] += g
				sampleWeight[i][j] = -g
			}
		}
	}
	return loss, demoWeight, sampleWeight
}

// sigmoid returns σ(x) = 1/(1 + e^(−x)) without overflow for large |x|.
func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// logSigmoid returns log σ(x) = −log(1 + e^(−x)) without overflow or loss
// of precision for large |x|.
func logSigmoid(x float64) float64 {
	if x >= 0 {
		return -math.Log1p(math.Exp(-x))
	}
	return x - math.Log1p(math.Exp(x))
}
