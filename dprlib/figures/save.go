package figures

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/dprkit/dprkit/dprlib/internal/atomicfile"
)

// PNGDPI is the resolution of every PNG that Save writes, in dots per inch.
// A figure W inches wide is round(W·PNGDPI) pixels wide.
const PNGDPI = 150

// Drawer is anything that can draw itself onto a canvas. *plot.Plot is a
// Drawer, and so are the multi-panel figures of this package.
type Drawer interface {
	Draw(c draw.Canvas)
}

// Save draws d onto a width × height canvas and writes it to dir as
// NAME.svg and NAME.png, creating dir if needed. It returns the two paths
// in that order. Each file is replaced atomically, so a reader never sees a
// partial image. A panic raised while drawing is returned as an error.
func Save(d Drawer, dir, name string, width, height vg.Length) ([]string, error) {
	if d == nil {
		return nil, errors.New("figures: Save: drawer is nil; pass a *plot.Plot or a figure")
	}
	if err := checkOutput(dir, name); err != nil {
		return nil, err
	}
	if !(width > 0) || !(height > 0) {
		return nil, fmt.Errorf("figures: Save: size %v × %v is invalid; "+
			"width and height must be positive lengths such as 7*vg.Inch", width, height)
	}

	svgPath := filepath.Join(dir, name+".svg")
	svgCanvas := vgsvg.New(width, height)
	if err := drawSafely(d, draw.New(svgCanvas)); err != nil {
		return nil, fmt.Errorf("figures: draw %s: %w", svgPath, err)
	}
	if err := atomicfile.Write(svgPath, writeTo(svgCanvas)); err != nil {
		return nil, err
	}

	pngPath := filepath.Join(dir, name+".png")
	pngCanvas := vgimg.PngCanvas{
		Canvas: vgimg.NewWith(vgimg.UseWH(width, height), vgimg.UseDPI(PNGDPI)),
	}
	if err := drawSafely(d, draw.New(pngCanvas)); err != nil {
		return nil, fmt.Errorf("figures: draw %s: %w", pngPath, err)
	}
	if err := atomicfile.Write(pngPath, writeTo(pngCanvas)); err != nil {
		return nil, err
	}
	return []string{svgPath, pngPath}, nil
}

// drawSafely runs d.Draw and turns a panic from gonum/plot, which it raises
// for instance on an empty colour-map range, into an error.
func drawSafely(d Drawer, c draw.Canvas) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("drawing failed: %v", r)
		}
	}()
	d.Draw(c)
	return nil
}

func writeTo(c io.WriterTo) func(io.Writer) error {
	return func(w io.Writer) error {
		_, err := c.WriteTo(w)
		return err
	}
}

// checkOutput rejects an empty output directory and a figure name that is
// empty or contains a path separator.
func checkOutput(dir, name string) error {
	if strings.TrimSpace(dir) == "" {
		return errors.New("figures: output directory is empty; pass a directory such as \"out/figures\"")
	}
	if strings.TrimSpace(name) == "" {
		return errors.New("figures: figure name is empty; pass a base name such as \"sft_loss\"")
	}
	if strings.ContainsAny(name, `/\`) || name == "." || name == ".." {
		return fmt.Errorf("figures: figure name %q is invalid; "+
			"pass a base name without a directory, such as \"sft_loss\"", name)
	}
	return nil
}

// writeCSV writes header and rows to path atomically.
func writeCSV(path string, header []string, rows [][]string) error {
	return atomicfile.Write(path, func(w io.Writer) error {
		cw := csv.NewWriter(w)
		if err := cw.Write(header); err != nil {
			return err
		}
		if err := cw.WriteAll(rows); err != nil {
			return err
		}
		return cw.Error()
	})
}

// writeJSON writes v to path atomically as indented JSON with a final
// newline. It leaves <, > and & unescaped so tokens such as <eos> stay
// readable.
func writeJSON(path string, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("figures: encode %s: %w", path, err)
	}
	return atomicfile.WriteFile(path, buf.Bytes())
}

// saveWithData writes the images through Save and then the data file
// produced by writeData, returning the paths as SVG, PNG, data.
func saveWithData(d Drawer, dir, name string, width, height vg.Length,
	dataExt string, writeData func(path string) error) ([]string, error) {
	paths, err := Save(d, dir, name, width, height)
	if err != nil {
		return nil, err
	}
	dataPath := filepath.Join(dir, name+"."+dataExt)
	if err := writeData(dataPath); err != nil {
		return nil, err
	}
	return append(paths, dataPath), nil
}
