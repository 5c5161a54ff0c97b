package tokenmdp

import "math/rand/v2"

// Expert is a known per-token reward r* with its soft-optimal Q-function and
// policy π* at γ = 1: the demonstrator whose reward SFT should recover.
type Expert struct {
	Reward, Q, LogPolicy []float64
}

// NewExpert draws r*(s, a) from a normal distribution with standard
// deviation scale and solves for the soft-optimal policy.
func (t *Tree) NewExpert(scale float64, rng *rand.Rand) Expert {
	r := t.NewTable()
	for i := range r {
		r[i] = scale * rng.NormFloat64()
	}
	q := t.SoftOptimal(r, 1)
	return Expert{Reward: r, Q: q, LogPolicy: t.LogPolicy(q)}
}

// RandomTable returns a table of normal values with standard deviation scale.
func (t *Tree) RandomTable(scale float64, rng *rand.Rand) []float64 {
	x := t.NewTable()
	for i := range x {
		x[i] = scale * rng.NormFloat64()
	}
	return x
}
