package theory

import (
	"fmt"
	"math"
)

// Check names, shared by every level.
const (
	NameIQLearn       = "SFT = IQ-Learn objective (γ = 1)"
	NameGammaGap      = "γ < 1 gap = (1 − γ) Σ_{t≥2} V(s_t)"
	NameReturn        = "return of r = log π(y|x) + V(s_1)"
	NameShaping       = "log π = r + V(s') − V(s)"
	NameGauge         = "gauge c(s): π fixed, r shifts by c(s) − γc(s')"
	NameTelescope     = "Σ_t r̂_t = log π_SFT(y|x) − log π_ref(y|x)"
	NameDecomposition = "r̂ = Δr + ΔV(s') − ΔV(s)"
	NameSignSFT       = "E_π_SFT[r̂] = KL(π_SFT‖π_ref) ≥ 0"
	NameSignRef       = "E_π_ref[r̂] = −KL(π_ref‖π_SFT) ≤ 0"
	NameOptimum       = "π* closed form = token-level optimum"
	NameImprovement   = "J(π*) − J(π_SFT) ≥ 0"
	NameJSFT          = "J(π_SFT) = KL(π_SFT‖π_ref)"
	NameDPRConverges  = "DPR → π* (total variation, end/start)"
	NameStabilityR    = "‖Δr‖∞ / ((1+γ)‖ΔQ‖∞) ≤ 1"
	NameStabilityPi   = "‖Δlog π‖∞ / (2‖ΔQ‖∞) ≤ 1"
	NameChiSquareOff  = "χ² objective ≠ SFT at α = 1 (relative gap)"
	NameChiSquareOn   = "χ² objective → SFT at α = 10⁶ (relative gap)"
	NameRecovery      = "recovered r vs r* up to shaping (end/start)"
)

// IQLearnIdentity compares, for each trajectory, the reduced IQ-Learn
// objective with linear φ,
//
//	J(Q) = Σ_t [Q(s_t, y_t) − γ·V(s_{t+1})] − V(s_1),
//
// computed from the logits, with logLikelihood[i], the log-likelihood the
// kit's SFT loss uses. They agree for any Q exactly when γ = 1. Measured is
// the largest absolute difference.
func IQLearnIdentity(trajs []Trajectory, logLikelihood []float64, gamma, tol float64) Check {
	worst := 0.0
	for i, tr := range trajs {
		worst = math.Max(worst, math.Abs(iqObjective(tr, gamma)-logLikelihood[i]))
	}
	return atMost(NameIQLearn, fmt.Sprintf("max |J(Q) − Σ log π| over %d demonstrations, γ = %g",
		len(trajs), gamma), worst, tol)
}

// iqObjective returns J(Q) of one trajectory.
func iqObjective(tr Trajectory, gamma float64) float64 {
	q, v, _ := tr.steps()
	j := -v[0]
	for t := range q {
		j += q[t] - gamma*nextValue(v, t)
	}
	return j
}

// LogLikelihoods returns Σ_t log π(y_t|s_t) of each trajectory, from its
// logits.
func LogLikelihoods(trajs []Trajectory) []float64 {
	out := make([]float64, len(trajs))
	for i, tr := range trajs {
		_, _, lp := tr.steps()
		for _, x := range lp {
			out[i] += x
		}
	}
	return out
}

// GapPoint is the mean measured and predicted γ-gap at one γ.
type GapPoint struct {
	Gamma, Measured, Formula float64
}

// GammaGap measures, for each γ, the gap J_γ(Q) − Σ log π and compares it
// with the prediction (1 − γ)·Σ_{t≥from} V(s_t), t counted from 1. The
// identity holds with from = 2. Measured is the largest absolute
// difference over trajectories and γ; the points are means for plotting.
func GammaGap(trajs []Trajectory, gammas []float64, from int, tol float64) (Check, []GapPoint) {
	ll := LogLikelihoods(trajs)
	worst := 0.0
	var points []GapPoint
	for _, g := range gammas {
		var pt GapPoint
		pt.Gamma = g
		for i, tr := range trajs {
			_, v, _ := tr.steps()
			formula := 0.0
			for t := from - 1; t < len(v); t++ {
				formula += (1 - g) * v[t]
			}
			gap := iqObjective(tr, g) - ll[i]
			worst = math.Max(worst, math.Abs(gap-formula))
			pt.Measured += gap / float64(len(trajs))
			pt.Formula += formula / float64(len(trajs))
		}
		points = append(points, pt)
	}
	return atMost(NameGammaGap, fmt.Sprintf("max |gap − formula| over %d demonstrations and %d values of γ",
		len(trajs), len(gammas)), worst, tol), points
}

// RecoveredReturn checks that the recovered reward r = Q − γ·V(s') sums over
// a response to log π(y|x) + V(s_1), which holds at γ = 1.
func RecoveredReturn(trajs []Trajectory, gamma, tol float64) Check {
	worst := 0.0
	for _, tr := range trajs {
		q, v, lp := tr.steps()
		ret, ll := 0.0, 0.0
		for t := range q {
			ret += q[t] - gamma*nextValue(v, t)
			ll += lp[t]
		}
		worst = math.Max(worst, math.Abs(ret-(ll+v[0])))
	}
	return atMost(NameReturn, fmt.Sprintf("max |Σ r − log π(y|x) − V(s_1)| over %d responses, γ = %g",
		len(trajs), gamma), worst, tol)
}

// Shaping checks log π(y_t|s_t) = r_t + V(s_{t+1}) − V(s_t) at every step,
// with r computed at discount γ (the identity needs γ = 1).
func Shaping(trajs []Trajectory, gamma, tol float64) Check {
	worst := 0.0
	steps := 0
	for _, tr := range trajs {
		q, v, lp := tr.steps()
		for t := range q {
			r := q[t] - gamma*nextValue(v, t)
			worst = math.Max(worst, math.Abs(lp[t]-(r+nextValue(v, t)-v[t])))
			steps++
		}
	}
	return atMost(NameShaping, fmt.Sprintf("max |log π − r − V(s') + V(s)| over %d steps, γ = %g",
		steps, gamma), worst, tol)
}

// Gauge adds shift(i, t, a) to the logit of action a at step t of trajectory
// i and checks that the policy is unchanged and that the recovered reward
// moves by exactly c(s_t) − γ·c(s_{t+1}), where c(s_t) = shift(i, t, 0). A
// shift that is the same for every action of a state is a gauge and passes;
// one that depends on the action is not.
func Gauge(trajs []Trajectory, shift func(i, t, a int) float64, gamma, tol float64) Check {
	worst := 0.0
	for i, tr := range trajs {
		moved := Trajectory{Actions: tr.Actions}
		for t, z := range tr.Logits {
			row := make([]float64, len(z))
			for a := range z {
				row[a] = z[a] + shift(i, t, a)
			}
			moved.Logits = append(moved.Logits, row)
		}
		q, v, _ := tr.steps()
		q2, v2, _ := moved.steps()
		for t := range tr.Logits {
			vt, v2t := logSumExp(tr.Logits[t]), logSumExp(moved.Logits[t])
			for a := range tr.Logits[t] {
				p1 := math.Exp(tr.Logits[t][a] - vt)
				p2 := math.Exp(moved.Logits[t][a] - v2t)
				worst = math.Max(worst, math.Abs(p1-p2))
			}
			c, cNext := shift(i, t, 0), 0.0
			if t+1 < len(tr.Actions) {
				cNext = shift(i, t+1, 0)
			}
			r := q[t] - gamma*nextValue(v, t)
			r2 := q2[t] - gamma*nextValue(v2, t)
			worst = math.Max(worst, math.Abs(r2-r-(c-gamma*cNext)))
		}
	}
	return atMost(NameGauge, fmt.Sprintf("max |Δπ| and |Δr − c(s) + γc(s')| over %d responses, γ = %g",
		len(trajs), gamma), worst, tol)
}

// DenseRewardTelescopes checks that the per-token rewards dense[i] of each
// response sum to its sequence log-ratio log π_SFT(y|x) − log π_ref(y|x),
// computed from the two policies' logits.
func DenseRewardTelescopes(dense [][]float64, sft, ref []Trajectory, tol float64) Check {
	llSFT, llRef := LogLikelihoods(sft), LogLikelihoods(ref)
	worst := 0.0
	for i, r := range dense {
		sum := 0.0
		for _, x := range r {
			sum += x
		}
		worst = math.Max(worst, math.Abs(sum-(llSFT[i]-llRef[i])))
	}
	return atMost(NameTelescope, fmt.Sprintf("max |Σ r̂ − log-ratio| over %d responses", len(dense)),
		worst, tol)
}

// DenseReward returns r̂_t = log π_SFT(y_t|s_t) − log π_ref(y_t|s_t) along
// each response, from the logits.
func DenseReward(sft, ref []Trajectory) [][]float64 {
	out := make([][]float64, len(sft))
	for i := range sft {
		_, _, a := sft[i].steps()
		_, _, b := ref[i].steps()
		out[i] = make([]float64, len(a))
		for t := range a {
			out[i][t] = a[t] - b[t]
		}
	}
	return out
}

// DenseRewardDecomposition checks that r̂ is a potential-shaped difference
// of the two recovered rewards, r̂ = (r_SFT − r_ref) + ΔV(s_{t+1}) − ΔV(s_t)
// with ΔV = V_SFT − V_ref, where each r is recovered at discount γ. It holds
// at γ = 1.
func DenseRewardDecomposition(sft, ref []Trajectory, gamma, tol float64) Check {
	worst := 0.0
	for i := range sft {
		q1, v1, lp1 := sft[i].steps()
		q2, v2, lp2 := ref[i].steps()
		for t := range q1 {
			r1 := q1[t] - gamma*nextValue(v1, t)
			r2 := q2[t] - gamma*nextValue(v2, t)
			shaped := (r1 - r2) + (nextValue(v1, t) - nextValue(v2, t)) - (v1[t] - v2[t])
			worst = math.Max(worst, math.Abs((lp1[t]-lp2[t])-shaped))
		}
	}
	return atMost(NameDecomposition, fmt.Sprintf("max |r̂ − Δr − ΔV(s') + ΔV(s)| over %d responses, γ = %g",
		len(sft), gamma), worst, tol)
}

// SignFacts computes, at every state of the trajectories, the expectation
// of reward(log π_SFT(a|s), log π_ref(a|s)) under π_SFT and under π_ref.
// With the dense reward (the difference of the two) the first is
// KL(π_SFT‖π_ref) ≥ 0 and the second −KL(π_ref‖π_SFT) ≤ 0. It returns the
// smallest first expectation (≥ −tol) and the largest second one (≤ tol).
func SignFacts(sft, ref []Trajectory, reward func(logSFT, logRef float64) float64, tol float64) (Check, Check) {
	minSFT, maxRef := math.Inf(1), math.Inf(-1)
	states, differ := 0, 0
	for i := range sft {
		for t := range sft[i].Logits {
			z1, z2 := sft[i].Logits[t], ref[i].Logits[t]
			v1, v2 := logSumExp(z1), logSumExp(z2)
			eSFT, eRef := 0.0, 0.0
			for a := range z1 {
				l1, l2 := z1[a]-v1, z2[a]-v2
				r := reward(l1, l2)
				eSFT += math.Exp(l1) * r
				eRef += math.Exp(l2) * r
			}
			minSFT, maxRef = math.Min(minSFT, eSFT), math.Max(maxRef, eRef)
			states++
			if eSFT-eRef > 1e-12 {
				differ++
			}
		}
	}
	where := fmt.Sprintf("%d states, %d where the policies differ", states, differ)
	return atLeast(NameSignSFT, "min of E_π_SFT[r̂] over "+where, minSFT, 0-tol),
		atMost(NameSignRef, "max of E_π_ref[r̂] over "+where, maxRef, tol)
}

// DenseRewardOf is the dense reward as a function of the two log-probabilities.
func DenseRewardOf(logSFT, logRef float64) float64 { return logSFT - logRef }

// Stability compares two Q-functions, a and b, on the same trajectories and
// returns the largest observed ratios
//
//	‖r_a − r_b‖∞ / (rewardFactor·‖Q_a − Q_b‖∞)   and   ‖log π_a − log π_b‖∞ / (policyFactor·‖Q_a − Q_b‖∞)
//
// where the norms run over every state of the trajectories (every action
// for Q and log π, the taken action for r). The bounds hold with
// rewardFactor = 1 + γ and policyFactor = 2, so both ratios are at most 1.
func Stability(a, b []Trajectory, gamma, rewardFactor, policyFactor float64) (rewardRatio, policyRatio float64) {
	dQ, dR, dPi := 0.0, 0.0, 0.0
	for i := range a {
		qa, va, _ := a[i].steps()
		qb, vb, _ := b[i].steps()
		for t := range a[i].Logits {
			za, zb := a[i].Logits[t], b[i].Logits[t]
			for act := range za {
				dQ = math.Max(dQ, math.Abs(za[act]-zb[act]))
				dPi = math.Max(dPi, math.Abs((za[act]-va[t])-(zb[act]-vb[t])))
			}
			ra := qa[t] - gamma*nextValue(va, t)
			rb := qb[t] - gamma*nextValue(vb, t)
			dR = math.Max(dR, math.Abs(ra-rb))
		}
	}
	if dQ == 0 {
		return 0, 0
	}
	return dR / (rewardFactor * dQ), dPi / (policyFactor * dQ)
}

// ChiSquareGap returns the mean over trajectories of the difference between
// the linear and the χ² IQ-Learn objectives at γ = 1, Σ_t r_t²/(4α): how far
// the strongly convex regulariser moves the objective away from SFT.
func ChiSquareGap(trajs []Trajectory, alpha float64) float64 {
	gap := 0.0
	for _, tr := range trajs {
		q, v, _ := tr.steps()
		for t := range q {
			r := q[t] - nextValue(v, t)
			gap += r * r / (4 * alpha)
		}
	}
	return gap / float64(len(trajs))
}

// ChiSquareChecks compares the χ² objective with the SFT objective at the
// given parameters, relative to the size of the SFT objective (the mean
// |Σ log π|): at α = 1 they must differ by at least chiSquareOff, showing
// that the strongly convex regulariser breaks the equivalence; at α = 10⁶
// they must agree within chiSquareOn, showing that the linear φ is its limit.
func ChiSquareChecks(trajs []Trajectory) (off, on Check) {
	scale := 0.0
	for _, ll := range LogLikelihoods(trajs) {
		scale += math.Abs(ll) / float64(len(trajs))
	}
	detail := fmt.Sprintf("mean Σ r²/(4α) over %d demonstrations, over mean |Σ log π| = %.3g", len(trajs), scale)
	return atLeast(NameChiSquareOff, detail, ChiSquareGap(trajs, 1)/scale, chiSquareOff),
		atMost(NameChiSquareOn, detail, ChiSquareGap(trajs, 1e6)/scale, chiSquareOn)
}
