// Package figures draws the kit's figures from plain Go data: the SFT
// training loss, DPR against SFT over training, and the per-token dense
// reward of single responses.
//
// Each figure function takes the values to plot and an output directory,
// and writes three files there, all atomically:
//
//	NAME.svg   vector image for papers and notebooks
//	NAME.png   raster image at PNGDPI dots per inch
//	NAME.csv   the plotted values of a curve figure (SFTLoss, DPRTraining),
//	           one row per plotted point
//	NAME.json  the plotted values of a token heat map (RewardHeatmap,
//	           RewardHeatmaps), one object per response
//
// Curve figures use CSV because their values form one flat table. Heat maps
// use JSON because each response carries a prompt and a list of tokens.
// The functions return the written paths in the order SVG, PNG, data.
//
// Every figure uses the same fonts (Liberation Sans, embedded in
// gonum.org/v1/plot) and colours: seeds cycle through the Okabe–Ito palette,
// which stays distinguishable under the common forms of colour blindness,
// and dense rewards use Moreland's smooth blue–red diverging colour map.
//
// The SVG files name their font and do not embed it. Liberation Sans has
// the metrics of Arial, so a viewer without it keeps the layout.
package figures
