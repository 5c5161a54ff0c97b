package interactive

import "github.com/dprkit/dprkit/dprlib/figures"

// The interactive views accept exactly what the static figures accept, so
// they share the figures package's checks and messages.

func validateDPRCurves(runs []figures.DPRCurve) error { return figures.ValidateDPRCurves(runs) }

func validateLossCurves(runs []figures.LossCurve) error { return figures.ValidateLossCurves(runs) }

func validateHeatmaps(maps []figures.Heatmap) error { return figures.ValidateHeatmaps(maps) }

func validateIntervals(f figures.IntervalFigure) (float64, error) { return figures.ValidateIntervals(f) }
