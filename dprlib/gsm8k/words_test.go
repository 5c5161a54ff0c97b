package gsm8k

import (
	"slices"
	"strings"
	"testing"
	"unicode"
)

func TestSplitWords(t *testing.T) {
	tests := []struct {
		name string
		text string
		keep bool
		want []string
	}{
		{
			name: "annotation removed",
			text: "Natalia sold 48/2 = <<48/2=24>>24 clips in May.",
			want: []string{"Natalia", "sold", "48", "/", "2", "=", "24", "clips", "in", "May", "."},
		},
		{
			name: "annotation kept",
			text: "48/2 = <<48/2=24>>24 clips",
			keep: true,
			want: []string{"48", "/", "2", "=", "<<", "48", "/", "2", "=", "24", ">>", "24", "clips"},
		},
		{
			name: "no digits merge across a removed annotation",
			text: "5<<2*3=6>>6",
			want: []string{"5", "6"},
		},
		{
			name: "two annotations on a line",
			text: "<<1+1=2>>2 and <<2+2=4>>4",
			want: []string{"2", "and", "4"},
		},
		{
			name: "unclosed annotation start",
			text: "x << y",
			want: []string{"x", "<", "<", "y"},
		},
		{
			name: "annotation does not span lines",
			text: "a <<b\nc>> d",
			want: []string{"a", "<", "<", "b", NewLine, "c", ">", ">", "d"},
		},
		{
			name: "comparisons",
			text: "4 < 4.8 < 5 and 404 > 400",
			want: []string{"4", "<", "4.8", "<", "5", "and", "404", ">", "400"},
		},
		{
			name: "thousands separators and decimals",
			text: "$1,250.50 or 1,000,000 or 12,000.75",
			want: []string{"$", "1,250.50", "or", "1,000,000", "or", "12,000.75"},
		},
		{
			name: "commas that do not group thousands",
			text: "12,50 and 1,2345 and 1,2,3 and 1,000,0",
			want: []string{"12", ",", "50", "and", "1", ",", "2345", "and", "1", ",", "2", ",", "3",
				"and", "1,000", ",", "0"},
		},
		{
			name: "points that end a sentence",
			text: "It costs $3.5. Then 5. Or 1.2.3 or .5",
			want: []string{"It", "costs", "$", "3.5", ".", "Then", "5", ".", "Or", "1.2", ".", "3",
				"or", ".", "5"},
		},
		{
			name: "percent and currency",
			text: "20% of €30, £4 and 50¢",
			want: []string{"20", "%", "of", "€", "30", ",", "£", "4", "and", "50", "¢"},
		},
		{
			name: "final answer marker",
			text: "#### 72",
			want: []string{AnswerMarker, "72"},
		},
		{
			name: "five hashes",
			text: "#####5 #",
			want: []string{AnswerMarker, "#", "5", "#"},
		},
		{
			name: "answer lines",
			text: "He pays 2*3 = <<2*3=6>>6 dollars.\n#### 6",
			want: []string{"He", "pays", "2", "*", "3", "=", "6", "dollars", ".", NewLine,
				AnswerMarker, "6"},
		},
		{
			name: "line breaks at the ends are dropped",
			text: "\n\nLine one\nLine two\n",
			want: []string{"Line", "one", NewLine, "Line", "two"},
		},
		{
			name: "blank line and carriage returns",
			text: "a\r\n\r\nb \u2028c",
			want: []string{"a", NewLine, NewLine, "b", NewLine, "c"},
		},
		{
			name: "apostrophes and hyphens",
			text: "Betty's half-hour isn’t long",
			want: []string{"Betty", "'", "s", "half", "-", "hour", "isn", "’", "t", "long"},
		},
		{
			name: "letters and digits split",
			text: "the 5th day at 10am, x2.5y",
			want: []string{"the", "5", "th", "day", "at", "10", "am", ",", "x", "2.5", "y"},
		},
		{
			name: "time of day",
			text: "3:00 pm",
			want: []string{"3", ":", "00", "pm"},
		},
		{
			name: "non-ASCII letters, symbols and spaces",
			text: "café costs 3 × ½\u00a0now\u200bok\tcafe\u0301",
			want: []string{"café", "costs", "3", "×", "½", "now", "ok", "cafe\u0301"},
		},
		{
			name: "invalid UTF-8",
			text: "a\xffb",
			want: []string{"a", "\uFFFD", "b"},
		},
		{
			name: "empty",
			text: "",
			want: nil,
		},
		{
			name: "only white space",
			text: " \n\t\n ",
			want: nil,
		},
	}
	for _, test := range tests {
		got := SplitWords(test.text, SplitOptions{KeepAnnotations: test.keep})
		if !slices.Equal(got, test.want) {
			t.Errorf("%s: SplitWords(%q, keep %v) = %q, want %q",
				test.name, test.text, test.keep, got, test.want)
		}
	}
}

func TestWordsDropsAnnotations(t *testing.T) {
	text := "Natalia sold 48+24 = <<48+24=72>>72 clips."
	if got, want := Words(text), SplitWords(text, SplitOptions{}); !slices.Equal(got, want) {
		t.Errorf("Words(%q) = %q, want SplitWords with default options, %q", text, got, want)
	}
	if slices.Contains(Words(text), AnnotationStart) {
		t.Errorf("Words(%q) = %q keeps the annotation", text, Words(text))
	}
}

// TestWordsOnRealData splits every question and answer of the training
// file and checks that each word is a valid token and that no annotation
// survives.
func TestWordsOnRealData(t *testing.T) {
	examples := loadReal(t, "train")
	for i, e := range examples {
		for _, text := range []string{e.Question, e.Answer} {
			for _, w := range Words(text) {
				if w == "" || strings.IndexFunc(w, unicode.IsSpace) >= 0 {
					t.Fatalf("example %d: word %q is empty or contains white space", i, w)
				}
				if w == AnnotationStart || w == AnnotationEnd {
					t.Fatalf("example %d: word %q of an annotation survived", i, w)
				}
			}
		}
		answer := Words(e.Answer)
		start := len(answer)
		for start > 0 && answer[start-1] != NewLine {
			start--
		}
		lastLine := answer[start:]
		if len(lastLine) < 2 || lastLine[0] != AnswerMarker {
			t.Errorf("example %d: last answer line has words %q, want %q and the final answer",
				i, lastLine, AnswerMarker)
		}
	}
}
