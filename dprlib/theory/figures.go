package theory

import (
	"github.com/dprkit/dprkit/dprlib/figures"
)

// identities lists the checks whose measured value is the error of an
// equation; the identity figure shows these, not the inequalities.
var identities = map[string]bool{
	NameIQLearn: true, NameGammaGap: true, NameReturn: true, NameShaping: true, NameGauge: true,
	NameTelescope: true, NameDecomposition: true, NameOptimum: true, NameJSFT: true,
}

// WriteFigures draws the theory figures into dir and returns the files
// written: the identity errors, the γ-gap against its formula, reward
// recovery against r*, DPR's convergence to the closed-form optimum, the
// stability ratios and the χ² curve.
func WriteFigures(rep *Report, dir string) ([]string, error) {
	var rows []figures.IdentityError
	for _, c := range rep.Checks {
		if c.Skipped != "" || !identities[c.Name] {
			continue
		}
		rows = append(rows, figures.IdentityError{Check: c.Name, Level: c.Level, Stage: c.Stage,
			Error: c.Measured, Tolerance: c.Bound})
	}
	var gaps []figures.GammaGapSeries
	for _, m := range []struct {
		label  string
		points []GapPoint
	}{{LevelTree, rep.Tree.GammaGap}, {LevelSCAN, modelGaps(rep.SCAN)}, {LevelGSM8K, modelGaps(rep.GSM8K)}} {
		if len(m.points) == 0 {
			continue
		}
		s := figures.GammaGapSeries{Label: m.label}
		for _, p := range m.points {
			s.Gamma = append(s.Gamma, p.Gamma)
			s.Measured = append(s.Measured, p.Measured)
			s.Formula = append(s.Formula, p.Formula)
		}
		gaps = append(gaps, s)
	}
	var recovery []figures.RecoveryPoint
	for _, p := range rep.Tree.Recovery {
		recovery = append(recovery, figures.RecoveryPoint{Demonstrations: p.Demonstrations, Shaped: p.Shaped,
			Unshaped: p.Unshaped})
	}
	tree := rep.Tree
	draws := []func() ([]string, error){
		func() ([]string, error) { return figures.IdentityErrors(dir, "theory-identity-errors", rows) },
		func() ([]string, error) { return figures.GammaGap(dir, "theory-gamma-gap", gaps) },
		func() ([]string, error) { return figures.RewardRecovery(dir, "theory-reward-recovery", recovery) },
		func() ([]string, error) {
			return figures.Convergence(dir, "theory-dpr-convergence", []figures.ConvergenceRun{{
				Label: "tabular DPR, sampled", Metric: "total variation to π*", Steps: tree.DPRSteps,
				Distance: tree.DPRDistance, Reference: tree.SFTDistance, ReferenceLabel: "π_SFT",
			}})
		},
		func() ([]string, error) {
			return figures.StabilityRatios(dir, "theory-stability",
				figures.Stability{Reward: tree.RewardRatios, LogPolicy: tree.PolicyRatios})
		},
		func() ([]string, error) {
			return figures.ChiSquare(dir, "theory-chi-square", figures.ChiSquareCurve{Alpha: tree.Alphas,
				ObjectiveGap: tree.ChiSquareGap, PolicyDistance: tree.ChiSquareDistance,
				Metric: "total variation"})
		},
	}
	var paths []string
	for _, draw := range draws {
		p, err := draw()
		if err != nil {
			return nil, err
		}
		paths = append(paths, p...)
	}
	return paths, nil
}

func modelGaps(m *ModelReport) []GapPoint {
	if m == nil {
		return nil
	}
	return m.GammaGap
}
