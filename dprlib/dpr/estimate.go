package dpr

import (
	"fmt"
	"math"
)

// KLEstimator names a per-token estimator of KL(π_θ‖π_SFT) from a token
// sampled from π_θ, with d = log π_θ(y_t|s_t) − log π_SFT(y_t|s_t):
//
//	k1 = d                  unbiased, can be negative
//	k2 = d²/2               biased, non-negative, low variance
//	k3 = exp(−d) − 1 + d    unbiased, non-negative
type KLEstimator string

const (
	K1 KLEstimator = "k1"
	K2 KLEstimator = "k2"
	K3 KLEstimator = "k3"
)

// ParseKLEstimator validates an estimator name from a flag or config file.
func ParseKLEstimator(s string) (KLEstimator, error) {
	switch k := KLEstimator(s); k {
	case K1, K2, K3:
		return k, nil
	}
	return "", fmt.Errorf("KL estimator %q is unknown: use k1, k2 or k3", s)
}

// Estimate returns the estimator's value for one token.
func (k KLEstimator) Estimate(logPolicy, logSFT float64) float64 {
	d := logPolicy - logSFT
	switch k {
	case K2:
		return 0.5 * d * d
	case K3:
		return math.Expm1(-d) + d
	default:
		return d
	}
}

// ReturnsToGo returns G_t = Σ_{k≥t} γ^(k−t)·r_k for every t.
func ReturnsToGo(rewards []float64, gamma float64) []float64 {
	g := make([]float64, len(rewards))
	acc := 0.0
	for t := len(rewards) - 1; t >= 0; t-- {
		acc = rewards[t] + gamma*acc
		g[t] = acc
	}
	return g
}

// LeaveOneOutBaseline returns, for each sample i of one prompt and each of its
// positions t, the mean of G_t over the prompt's other samples, where a sample
// shorter than t+1 tokens contributes 0 (its return after the end). With one
// sample the baseline is 0. Because a sample's baseline does not depend on
// its own tokens, subtracting it leaves the policy gradient unbiased.
func LeaveOneOutBaseline(returns [][]float64) [][]float64 {
	n := len(returns)
	longest := 0
	for _, g := range returns {
		longest = max(longest, len(g))
	}
	total := make([]float64, longest)
	for _, g := range returns {
		for t, v := range g {
			total[t] += v
		}
	}
	out := make([][]float64, n)
	for i, g := range returns {
		out[i] = make([]float64, len(g))
		if n < 2 {
			continue
		}
		for t, v := range g {
			out[i][t] = (total[t] - v) / float64(n-1)
		}
	}
	return out
}
