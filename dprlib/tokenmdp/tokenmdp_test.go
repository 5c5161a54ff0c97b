package tokenmdp

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestTreeSize(t *testing.T) {
	cases := []struct{ vocab, horizon, prompts, states, sequences int }{
		{2, 2, 1, 2, 3},       // root, one child; sequences e, ae, aa
		{3, 3, 1, 7, 15},      // 1 + 2 + 4 states; 1 + 2·(1 + 2·3) sequences
		{3, 3, 2, 14, 30},     // two prompts
		{4, 2, 1, 4, 1 + 3*4}, // root and 3 children; EOS plus 3·4
	}
	for _, c := range cases {
		tr, err := NewTree(c.vocab, c.horizon, c.prompts)
		if err != nil {
			t.Fatal(err)
		}
		if tr.NumStates() != c.states {
			t.Errorf("%+v: %d states, want %d", c, tr.NumStates(), c.states)
		}
		if n := len(tr.Sequences()); n != c.sequences {
			t.Errorf("%+v: %d sequences, want %d", c, n, c.sequences)
		}
	}
	for _, bad := range [][3]int{{1, 3, 1}, {7, 3, 1}, {3, 1, 1}, {3, 9, 1}, {3, 3, 0}} {
		if _, err := NewTree(bad[0], bad[1], bad[2]); err == nil {
			t.Errorf("NewTree%v accepted an out-of-range size", bad)
		}
	}
}

func TestSequenceProbabilitiesSumToOne(t *testing.T) {
	tr, err := NewTree(4, 4, 2)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 1))
	seqs := tr.Sequences()
	probs := tr.SequenceProbs(tr.LogPolicy(tr.RandomTable(2, rng)), seqs)
	total := make([]float64, tr.Prompts)
	for i, y := range seqs {
		total[y.Prompt] += probs[i]
	}
	for p, sum := range total {
		if math.Abs(sum-1) > 1e-12 {
			t.Errorf("prompt %d: probabilities sum to %.15f", p, sum)
		}
	}
}

func TestClosedFormMatchesTokenOptimum(t *testing.T) {
	tr, err := NewTree(3, 4, 2)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(2, 2))
	logSFT := tr.LogPolicy(tr.RandomTable(1.5, rng))
	logRef := tr.LogPolicy(tr.RandomTable(1.5, rng))
	seqs := tr.Sequences()
	for _, beta := range []float64{0.1, 0.5, 2} {
		closed := tr.ClosedFormOptimum(logSFT, logRef, beta, seqs)
		token := tr.SequenceProbs(tr.TokenOptimum(logSFT, logRef, beta), seqs)
		if tv := tr.TotalVariation(closed, token); tv > 1e-12 {
			t.Errorf("β = %g: total variation %.3g between closed form and token optimum", beta, tv)
		}
		jStar := tr.Objective(tr.TokenOptimum(logSFT, logRef, beta), logSFT, logRef, beta, seqs)
		jSFT := tr.Objective(logSFT, logSFT, logRef, beta, seqs)
		if jStar < jSFT {
			t.Errorf("β = %g: J(π*) = %g below J(π_SFT) = %g", beta, jStar, jSFT)
		}
		if kl := tr.SequenceKL(logSFT, logRef, seqs); math.Abs(jSFT-kl) > 1e-12 {
			t.Errorf("β = %g: J(π_SFT) = %g, KL(π_SFT‖π_ref) = %g", beta, jSFT, kl)
		}
	}
}

func TestDPRApproachesOptimum(t *testing.T) {
	tr, err := NewTree(3, 3, 1)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 3))
	qSFT, qRef := tr.RandomTable(1, rng), tr.RandomTable(1, rng)
	seqs := tr.Sequences()
	beta := 1.0
	target := tr.ClosedFormOptimum(tr.LogPolicy(qSFT), tr.LogPolicy(qRef), beta, seqs)
	dist := func(lp []float64) float64 { return tr.TotalVariation(tr.SequenceProbs(lp, seqs), target) }
	cfg := DPRConfig{Beta: beta, LearningRate: 0.05, Steps: 3000, Batch: 32, Baseline: true,
		RecordEvery: 500, Seed: 1}
	_, _, d, err := tr.DPR(qSFT, qRef, cfg, dist)
	if err != nil {
		t.Fatal(err)
	}
	if d[len(d)-1] > d[0]/4 {
		t.Errorf("total variation to π* went from %.3f to %.3f; want it to fall by 4×", d[0], d[len(d)-1])
	}
}

func TestSFTConvergesToExpert(t *testing.T) {
	tr, err := NewTree(3, 3, 1)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(4, 4))
	expert := tr.NewExpert(1, rng)
	demos := tr.Sample(expert.LogPolicy, 4000, rng)
	cfg := DefaultSFT()
	cfg.Epochs = 10
	ckpts, err := tr.SFT(demos, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(ckpts) != 5 || ckpts[0].Fraction != 0 || ckpts[4].Fraction != 1 {
		t.Fatalf("checkpoints %v, want fractions 0, 0.25, 0.5, 0.75, 1", len(ckpts))
	}
	seqs := tr.Sequences()
	pStar := tr.SequenceProbs(expert.LogPolicy, seqs)
	first := tr.TotalVariation(tr.SequenceProbs(tr.LogPolicy(ckpts[0].Q), seqs), pStar)
	last := tr.TotalVariation(tr.SequenceProbs(tr.LogPolicy(ckpts[4].Q), seqs), pStar)
	if last > 0.1 || last > first/3 {
		t.Errorf("total variation to π* went from %.3f to %.3f; want below 0.1", first, last)
	}
}

func TestRecoveryErrorIgnoresShaping(t *testing.T) {
	tr, err := NewTree(3, 4, 2)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(9, 9))
	rStar := tr.RandomTable(1, rng)
	seqs := tr.Sequences()
	weights := tr.SequenceProbs(tr.LogPolicy(tr.RandomTable(1, rng)), seqs)
	// A potential-based shaping of r*: r = r* + Φ(s') − Φ(s), Φ = 0 at terminal states.
	phi := make([]float64, tr.NumStates())
	for s := range phi {
		phi[s] = 2 * rng.NormFloat64()
	}
	shapedReward := make([]float64, len(rStar))
	for s := range phi {
		for a := range tr.Vocab {
			next := 0.0
			if c := tr.Child(s, a); c >= 0 {
				next = phi[c]
			}
			shapedReward[s*tr.Vocab+a] = rStar[s*tr.Vocab+a] + next - phi[s]
		}
	}
	shaped, unshaped := tr.RecoveryError(shapedReward, rStar, seqs, weights)
	if shaped > 1e-12 {
		t.Errorf("a shaped copy of r* has error %g after removing shaping, want 0", shaped)
	}
	if unshaped < 1e-3 {
		t.Errorf("error before removing shaping is %g, want the offset −Φ(root) to show", unshaped)
	}
	noisy := tr.RandomTable(0.5, rng)
	for i := range noisy {
		noisy[i] += rStar[i]
	}
	s, u := tr.RecoveryError(noisy, rStar, seqs, weights)
	if s < 0.1 {
		t.Errorf("a noisy reward has error %g after removing shaping, want it to remain", s)
	}
	if s > u {
		t.Errorf("error after removing shaping %g exceeds the error before, %g", s, u)
	}
}
