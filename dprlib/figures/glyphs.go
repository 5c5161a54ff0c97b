package figures

import (
	"strings"

	"golang.org/x/image/font/sfnt"
	"gonum.org/v1/plot/font"
)

// superscripts maps each Unicode superscript character to its plain form.
var superscripts = map[rune]rune{
	'⁰': '0', '¹': '1', '²': '2', '³': '3', '⁴': '4',
	'⁵': '5', '⁶': '6', '⁷': '7', '⁸': '8', '⁹': '9',
	'⁻': '−', '⁺': '+', 'ⁱ': 'i', 'ⁿ': 'n',
}

// hasGlyph reports whether the figure typeface can draw r.
func hasGlyph(r rune) bool {
	face := font.DefaultCache.Lookup(sans, 10).Face
	var buf sfnt.Buffer
	index, err := face.GlyphIndex(&buf, r)
	return err == nil && index != 0
}

// combiningHat is U+0302, the combining circumflex of r̂. gonum/plot
// v0.17.0 places it off centre, over the right edge of its letter, so
// figureText replaces it with the spacing modifier letter circumflex
// U+02C6.
const combiningHat, spacingHat = '\u0302', '\u02C6'

// figureText rewrites caller text for the figure typeface. Liberation Sans
// lacks some superscripts (⁰, ⁹, ⁻, ⁺), and gonum/plot draws a missing
// glyph as blank space, so "10⁻⁶" would read "10 ⁶". A run of superscripts
// that contains one of them is therefore written in caret notation:
// "10⁻⁶" becomes "10^−6", while "χ²" and "10⁶" stay as they are. A
// combining circumflex becomes a spacing one, so r̂ reads "rˆ".
//
// NOTE: other characters without a glyph are left unchanged and still
// draw as blank space.
func figureText(s string) string {
	runes := []rune(s)
	var out strings.Builder
	for i := 0; i < len(runes); {
		if runes[i] == combiningHat {
			out.WriteRune(spacingHat)
			i++
			continue
		}
		if _, ok := superscripts[runes[i]]; !ok {
			out.WriteRune(runes[i])
			i++
			continue
		}
		j := i
		drawable := true
		for j < len(runes) {
			if _, ok := superscripts[runes[j]]; !ok {
				break
			}
			drawable = drawable && hasGlyph(runes[j])
			j++
		}
		if drawable {
			out.WriteString(string(runes[i:j]))
		} else {
			out.WriteRune('^')
			for _, r := range runes[i:j] {
				out.WriteRune(superscripts[r])
			}
		}
		i = j
	}
	return out.String()
}
