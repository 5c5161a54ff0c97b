package gsm8k

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Words that Words emits or Vocabulary adds besides the words of the text.
// None of them can come from the text itself, because Words splits '<'
// and '>' into words of their own.
const (
	// NewLine is the word for a line break, because tokens may not contain
	// white space.
	NewLine = "<nl>"
	// Unknown is the word that Encode puts in place of a word outside the
	// vocabulary.
	Unknown = "<unk>"
	// AnswerMarker starts the last line of every answer, before the final
	// answer. Words keeps it as one word.
	AnswerMarker = "####"
	// AnnotationStart and AnnotationEnd enclose a calculator annotation
	// such as <<48/2=24>>.
	AnnotationStart = "<<"
	AnnotationEnd   = ">>"
)

// SplitOptions configures SplitWords.
type SplitOptions struct {
	// KeepAnnotations keeps each calculator annotation as the word "<<",
	// the words of its formula and the word ">>". By default annotations
	// are removed, because they are calculator input rather than prose and
	// the text right after one repeats its result in 98% of the cases in
	// the training file.
	KeepAnnotations bool
}

// Words splits text into words with SplitWords and the default options,
// which remove calculator annotations. Vocabulary and Encode use it.
func Words(text string) []string {
	return SplitWords(text, SplitOptions{})
}

// SplitWords splits GSM8K text into words. Case is kept. The rules, in
// order:
//
//   - A line break ("\n", "\r\n", U+2028 or U+2029) is the word "<nl>"
//     (NewLine), so a blank line gives two. Line breaks before the first
//     word or after the last word give none.
//   - A calculator annotation is "<<", then any text without a line break
//     or ">>", then ">>", as in "<<48/2=24>>". It is removed, or kept as
//     "<<", its words and ">>" when options.KeepAnnotations is set. Text
//     before and after an annotation is split apart, so "5<<2*3=6>>6"
//     gives "5" "6" and never "56". A "<<" without a closing ">>" on its
//     line is no annotation and gives two "<" words.
//   - White space other than line breaks, control characters and format
//     characters (such as U+200B) separate words and give none.
//   - A number is a run of the digits 0-9, with thousands groups of
//     exactly three digits after commas and a decimal part after a point,
//     such as "7", "1,250", "0.50" and "12,000.75". A comma or point that
//     does not continue a number is a word of its own: "1,2" gives "1" ","
//     "2" and "5." gives "5" ".".
//   - A word is a run of letters, including the combining marks after
//     them, such as "Natalia" or "café".
//   - "####" (AnswerMarker) is one word.
//   - Every other character is a word of its own, such as "$", "%", "'",
//     "/", "=", "€" or "½", so "$1.50" gives "$" "1.50" and "Betty's"
//     gives "Betty" "'" "s".
//
// No word contains white space, so every word is a valid token for
// tokenizer.New. Invalid UTF-8 bytes become U+FFFD words.
func SplitWords(text string, options SplitOptions) []string {
	var words []string
	for i, line := range splitLines(text) {
		if i > 0 {
			words = append(words, NewLine)
		}
		words = appendLineWords(words, line, options)
	}

	// Drop the <nl> words of line breaks at the start and the end.
	start, end := 0, len(words)
	for start < end && words[start] == NewLine {
		start++
	}
	for end > start && words[end-1] == NewLine {
		end--
	}
	return words[start:end]
}

// splitLines splits text at every "\n", U+2028 and U+2029, keeping empty
// lines. A "\r" before "\n" stays at the end of its line, where it counts
// as white space.
func splitLines(text string) []string {
	var lines []string
	for {
		i := strings.IndexFunc(text, isLineBreak)
		if i < 0 {
			return append(lines, text)
		}
		_, size := utf8.DecodeRuneInString(text[i:])
		lines = append(lines, text[:i])
		text = text[i+size:]
	}
}

func isLineBreak(r rune) bool {
	return r == '\n' || r == '\u2028' || r == '\u2029'
}

// appendLineWords appends the words of one line, which contains no line
// break, removing or keeping its calculator annotations.
func appendLineWords(words []string, line string, options SplitOptions) []string {
	rest := line
	for {
		start := strings.Index(rest, AnnotationStart)
		if start < 0 {
			return appendPlainWords(words, rest)
		}
		length := strings.Index(rest[start+len(AnnotationStart):], AnnotationEnd)
		if length < 0 {
			return appendPlainWords(words, rest)
		}
		formulaStart := start + len(AnnotationStart)
		formulaEnd := formulaStart + length

		words = appendPlainWords(words, rest[:start])
		if options.KeepAnnotations {
			words = append(words, AnnotationStart)
			words = appendPlainWords(words, rest[formulaStart:formulaEnd])
			words = append(words, AnnotationEnd)
		}
		rest = rest[formulaEnd+len(AnnotationEnd):]
	}
}

// appendPlainWords appends the words of text that contains no line break
// and no annotation: numbers, letter runs, "####" and single characters.
func appendPlainWords(words []string, text string) []string {
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		switch {
		case unicode.IsSpace(r) || unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
			i += size
		case isDigit(r):
			end := numberEnd(text, i)
			words = append(words, text[i:end])
			i = end
		case unicode.IsLetter(r):
			end := letterRunEnd(text, i)
			words = append(words, text[i:end])
			i = end
		case strings.HasPrefix(text[i:], AnswerMarker):
			words = append(words, AnswerMarker)
			i += len(AnswerMarker)
		default:
			// string(r) turns an invalid byte, decoded as RuneError, into U+FFFD.
			words = append(words, string(r))
			i += size
		}
	}
	return words
}

func isDigit(r rune) bool {
	return '0' <= r && r <= '9'
}

// digitsEnd returns the index after the run of digits that starts at i.
func digitsEnd(text string, i int) int {
	for i < len(text) && isDigit(rune(text[i])) {
		i++
	}
	return i
}

// numberEnd returns the index after the number that starts at i, a digit:
// digits, then ",ddd" groups not followed by another digit, then an
// optional "." with at least one digit.
func numberEnd(text string, i int) int {
	end := digitsEnd(text, i)
	for end < len(text) && text[end] == ',' {
		groupEnd := digitsEnd(text, end+1)
		if groupEnd-(end+1) != 3 {
			break
		}
		end = groupEnd
	}
	if end+1 < len(text) && text[end] == '.' && isDigit(rune(text[end+1])) {
		end = digitsEnd(text, end+1)
	}
	return end
}

// letterRunEnd returns the index after the run of letters and combining
// marks that starts at i, a letter.
func letterRunEnd(text string, i int) int {
	for i < len(text) {
		r, size := utf8.DecodeRuneInString(text[i:])
		if !unicode.IsLetter(r) && !unicode.IsMark(r) {
			break
		}
		i += size
	}
	return i
}
