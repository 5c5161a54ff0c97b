package figures

import "math"

// The fixtures below imitate real runs on SCAN: smooth trends plus a
// deterministic wiggle, so the golden files never depend on a random
// number generator. Values are rounded to six decimals because compilers
// for some architectures fuse multiply-adds, which changes the last bits.

func round6(v float64) float64 {
	return math.Round(v*1e6) / 1e6
}

func wiggle(x, seed float64) float64 {
	return math.Sin(0.37*x+seed) + 0.5*math.Sin(1.31*x+2*seed)
}

func sampleLossCurves() []LossCurve {
	var runs []LossCurve
	for _, seed := range []int64{1, 2, 3} {
		run := LossCurve{Seed: seed}
		for step := 0; step <= 2000; step += 25 {
			decay := 3.1 * math.Exp(-float64(step)/(220+15*float64(seed)))
			loss := 0.025 + decay + 0.004*wiggle(float64(step)/25, float64(seed))*(1+decay)
			run.Steps = append(run.Steps, step)
			run.Loss = append(run.Loss, round6(loss))
		}
		for _, fraction := range []float64{0.25, 0.5, 0.75, 1} {
			run.Checkpoints = append(run.Checkpoints, Checkpoint{
				Step:     int(2000 * fraction),
				Fraction: fraction,
			})
		}
		runs = append(runs, run)
	}
	return runs
}

func sampleDPRCurves() []DPRCurve {
	var runs []DPRCurve
	for i, seed := range []int64{1, 2, 3} {
		s := float64(seed)
		run := DPRCurve{Seed: seed, SFTExactMatch: 61.5 + 2.5*float64(i)}
		for step := 0; step <= 400; step += 5 {
			progress := 1 - math.Exp(-float64(step)/120)
			reward := 0.42 + 0.21*progress + 0.012*wiggle(float64(step)/5, s)
			run.Steps = append(run.Steps, step)
			kl := 0.055*progress*(1+0.1*s) + 0.002*wiggle(float64(step)/5, s+1)
			run.Reward = append(run.Reward, round6(reward))
			run.KL = append(run.KL, round6(kl))
			run.Return = append(run.Return, round6(11.3*reward))
		}
		for step := 0; step <= 400; step += 50 {
			progress := 1 - math.Exp(-float64(step)/150)
			em := run.SFTExactMatch + (14-2*s)*progress + 0.6*wiggle(float64(step)/50, s)
			if step == 0 {
				em = run.SFTExactMatch
			}
			run.EvalSteps = append(run.EvalSteps, step)
			run.ExactMatch = append(run.ExactMatch, math.Round(em*10)/10)
		}
		runs = append(runs, run)
	}
	return runs
}

// sampleHeatmap is a 31-token SCAN response with one wrong action. SCAN
// runs the clause after "after" first.
func sampleHeatmap() Heatmap {
	var tokens []string
	for range 2 {
		tokens = append(tokens, "I_TURN_LEFT", "I_TURN_LEFT", "I_RUN")
	}
	for range 3 * 4 {
		tokens = append(tokens, "I_TURN_RIGHT", "I_LOOK")
	}
	tokens = append(tokens, "<eos>")
	tokens[20] = "I_WALK" // should be I_TURN_RIGHT

	reward := make([]float64, len(tokens))
	for i := range reward {
		reward[i] = round6(0.35 + 0.25*wiggle(float64(i), 0.5))
	}
	reward[20] = -2.41
	reward[21] = -0.38
	reward[len(reward)-1] = 1.12
	return Heatmap{
		Prompt: "look around right thrice after run opposite left twice",
		Tokens: tokens,
		Reward: reward,
		Title:  "Dense reward of an SFT sample",
	}
}

// sampleHeatmapPair is a short SFT response and the DPR response to the
// same prompt.
func sampleHeatmapPair() []Heatmap {
	prompt := "jump twice and walk left"
	sft := Heatmap{
		Prompt: prompt,
		Title:  "SFT policy",
		Tokens: []string{"I_JUMP", "I_JUMP", "I_TURN_LEFT", "I_RUN", "<eos>"},
		Reward: []float64{0.61, 0.48, 0.22, -1.73, 0.9},
	}
	dpr := Heatmap{
		Prompt: prompt,
		Title:  "DPR policy",
		Tokens: []string{"I_JUMP", "I_JUMP", "I_TURN_LEFT", "I_WALK", "<eos>"},
		Reward: []float64{0.63, 0.51, 0.27, 0.84, 0.95},
	}
	return []Heatmap{sft, dpr}
}
