package figures

// The exported checks below let other views of the same data, such as the
// interactive notebook charts, apply exactly the rules of the figures.

// ValidateDPRCurves reports the first value of runs that DPRTraining
// rejects.
func ValidateDPRCurves(runs []DPRCurve) error { return validateDPRCurves(runs) }

// ValidateLossCurves reports the first value of runs that SFTLoss rejects.
func ValidateLossCurves(runs []LossCurve) error { return validateLossCurves(runs) }

// ValidateHeatmaps reports the first value of maps that RewardHeatmaps
// rejects.
func ValidateHeatmaps(maps []Heatmap) error { return validateHeatmaps(maps) }

// ValidateIntervals reports the first value of f that Intervals rejects,
// and returns the confidence level that all its intervals share.
func ValidateIntervals(f IntervalFigure) (level float64, err error) { return validateIntervals(f) }
