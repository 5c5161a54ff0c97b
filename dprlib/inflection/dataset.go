// Package inflection reads the CoNLL-SIGMORPHON 2017 morphological
// inflection data (shared task 1, Cotterell et al. 2017) for English,
// German and Spanish, and turns each row into character-level prompt and
// response tokens for the policy model.
//
// Each row pairs a lemma and a bundle of UniMorph features with the
// inflected form, such as "stodge" with V;PST giving "stodged". The prompt
// is the lemma's characters followed by one token per feature, and the
// response is the form's characters:
//
//	prompt   s t o d g e [V] [PST]
//	response s t o d g e d
//
// A response is scored by exact match, with the character-level
// Levenshtein distance to the gold form (scan.EditDistance) as partial
// credit, the two measures that the shared task reported.
//
// Each language has three training files of 10,000 (train-high), 1,000
// (train-medium) and 100 (train-low) rows, a development file and a test
// file of 1,000 rows each. Load reads one of them from the data directory
// after checking it against the embedded manifest,
// data.SIGMORPHON2017Manifest. Tokenizer builds a vocabulary for
// tokenizer.EncodeExample, which encodes a row as
// "<bos> prompt… <sep> response… <eos>".
//
// # Sequence lengths
//
// MaxSequenceLength of each file, the three special tokens included,
// measured on the published files:
//
//	language  train-high  train-medium  train-low  dev  test
//	english           46            43         38   40    44
//	german            96            63         44   58    95
//	spanish           45            45         42   43    45
//
// Every English and Spanish row fits the model's default context of 64
// tokens. German train-medium, train-low and dev fit too, but 9 rows of
// train-high and 3 rows of test are longer than 64 tokens. These rows are
// long compounds and verbs with a phrase, such as the 44-letter
// "Fußballweltmeisterschaftsqualifikationsspiel" and "das Blaue vom Himmel
// versprechen". A German run that scores the whole test file therefore
// needs a context of at least 95 tokens.
//
// # License
//
// The upstream repository, github.com/sigmorphon/conll2017, has no license
// file. Its rows come from UniMorph tables extracted from Wiktionary, which
// UniMorph publishes under CC BY-SA 3.0: keep the attribution and share
// any redistributed derivative under the same license.
package inflection

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/dprkit/dprkit/data"
	"github.com/dprkit/dprkit/dprlib/fetch"
)

// Example is one row of an inflection file.
type Example struct {
	// Lemma is the dictionary form, such as "stodge".
	Lemma string
	// Form is the inflected form, such as "stodged".
	Form string
	// Tags are the UniMorph features of Form, such as ["V", "PST"].
	Tags []string
	// Line is the 1-based line of the row in its file.
	Line int
}

// DataSubdir is the folder under a data directory that contains one folder
// per language, such as sigmorphon2017_inflection/english/.
const DataSubdir = "sigmorphon2017_inflection"

// datasetName is the value of "dpr data fetch -dataset" for these files.
const datasetName = "sigmorphon2017"

// Languages returns the languages that Load accepts: english, german and
// spanish.
func Languages() []string {
	return []string{"english", "german", "spanish"}
}

// Parts returns the files of each language that Load accepts, largest
// training file first: train-high, train-medium, train-low, dev and test.
func Parts() []string {
	return []string{"train-high", "train-medium", "train-low", "dev", "test"}
}

// File returns the file that Load reads for language and part, as a
// slash-separated path relative to the data directory, such as
// "sigmorphon2017_inflection/english/english-dev", or "" when language or
// part is unknown.
func File(language, part string) string {
	if !slices.Contains(Languages(), language) || !slices.Contains(Parts(), part) {
		return ""
	}
	return DataSubdir + "/" + language + "/" + language + "-" + part
}

// lineFormat describes the expected line format for error messages.
const lineFormat = `each line must read "lemma<TAB>form<TAB>features", ` +
	`with the features separated by ";", such as "stodge\tstodged\tV;PST"`

// maxLineBytes is the maximum line length, in bytes, that ReadFile
// accepts. The published files have lines of at most 102 bytes.
const maxLineBytes = 64 * 1024

// ReadFile reads an inflection file, one example per line, in file order.
// Empty lines are skipped and a trailing "\r" is removed. An error names
// the file, the 1-based line and the bad value. A line is invalid when it
// lacks exactly three tab-separated fields, has a blank lemma or form, is
// not UTF-8, or has a feature that is empty or contains white space, "["
// or "]". A file without examples is an error too.
func ReadFile(path string) ([]Example, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("inflection: read examples: %w", err)
	}
	defer f.Close()

	var examples []Example
	scanner := bufio.NewScanner(f)
	scanner.Buffer(make([]byte, 0, 4096), maxLineBytes)
	lineNumber := 0
	for scanner.Scan() {
		lineNumber++
		line := strings.TrimSuffix(scanner.Text(), "\r")
		if line == "" {
			continue
		}
		example, err := parseLine(line)
		if err != nil {
			return nil, fmt.Errorf("inflection: %s:%d: %w", path, lineNumber, err)
		}
		example.Line = lineNumber
		examples = append(examples, example)
	}
	if err := scanner.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("inflection: %s:%d: line longer than %d bytes; "+
				"is this an inflection file? %s", path, lineNumber+1, maxLineBytes, lineFormat)
		}
		return nil, fmt.Errorf("inflection: read %s: %w", path, err)
	}
	if len(examples) == 0 {
		return nil, fmt.Errorf("inflection: %s: no examples found; %s", path, lineFormat)
	}
	return examples, nil
}

// parseLine parses one non-empty line. Line is left 0.
func parseLine(line string) (Example, error) {
	if !utf8.ValidString(line) {
		return Example{}, fmt.Errorf("line %s is not valid UTF-8", quoteExcerpt(line))
	}
	fields := strings.Split(line, "\t")
	if len(fields) != 3 {
		return Example{}, fmt.Errorf("line %s has %d tab-separated fields, want 3; %s",
			quoteExcerpt(line), len(fields), lineFormat)
	}
	lemma, form, bundle := fields[0], fields[1], fields[2]
	if strings.TrimSpace(lemma) == "" {
		return Example{}, fmt.Errorf("line %s has a blank lemma; %s", quoteExcerpt(line), lineFormat)
	}
	if strings.TrimSpace(form) == "" {
		return Example{}, fmt.Errorf("line %s has a blank form; %s", quoteExcerpt(line), lineFormat)
	}
	tags, err := parseFeatures(bundle)
	if err != nil {
		return Example{}, err
	}
	return Example{Lemma: lemma, Form: form, Tags: tags}, nil
}

// parseFeatures splits a feature bundle such as "V;V.PTCP;PST" at ";" and
// checks each feature, so that its prompt token "[feature]" can never be
// confused with a character token or another feature.
func parseFeatures(bundle string) ([]string, error) {
	tags := strings.Split(bundle, ";")
	for i, tag := range tags {
		if tag == "" {
			return nil, fmt.Errorf("feature bundle %q has an empty feature at position %d "+
				"(1-based); %s", bundle, i+1, lineFormat)
		}
		if strings.IndexFunc(tag, unicode.IsSpace) >= 0 || strings.ContainsAny(tag, "[]") {
			return nil, fmt.Errorf("feature %q of bundle %q contains white space, \"[\" or \"]\"; "+
				"a feature must be a single word such as PST", tag, bundle)
		}
	}
	return tags, nil
}

// maxExcerpt is the number of bytes of a malformed line quoted in errors.
const maxExcerpt = 120

// quoteExcerpt quotes text, shortened to maxExcerpt bytes.
func quoteExcerpt(text string) string {
	if len(text) <= maxExcerpt {
		return fmt.Sprintf("%q", text)
	}
	return fmt.Sprintf("%q…", text[:maxExcerpt])
}

// fetchHint is the advice, in errors, on making the files available.
func fetchHint(dataDir string) string {
	if dataDir == "" {
		dataDir = "DIR"
	}
	return fmt.Sprintf(`run "dpr data fetch -dataset %s -data-dir %s" to download the files, `+
		`or set --data-dir or DPR_DATA_DIR to a folder that contains a complete %s/`,
		datasetName, dataDir, DataSubdir)
}

// Load reads the examples of one file, such as language "english" and
// part "train-medium", from dataDir/sigmorphon2017_inflection. It first
// checks the file's size and SHA-256 against the embedded manifest
// (data.SIGMORPHON2017Manifest), so that an edited or damaged copy cannot
// pass for the published data, and then parses it with ReadFile. When the
// folder or file is missing or differs, the error explains how to get it.
func Load(dataDir, language, part string) ([]Example, error) {
	if !slices.Contains(Languages(), language) {
		return nil, fmt.Errorf("inflection: unknown language %q; valid names are %s",
			language, strings.Join(Languages(), ", "))
	}
	if !slices.Contains(Parts(), part) {
		return nil, fmt.Errorf("inflection: unknown part %q; valid names are %s",
			part, strings.Join(Parts(), ", "))
	}
	file := File(language, part)
	if dataDir == "" {
		return nil, fmt.Errorf("inflection: %s %s needs the CoNLL-SIGMORPHON 2017 files but no "+
			"data directory was given; %s", language, part, fetchHint(""))
	}
	root := filepath.Join(dataDir, DataSubdir)
	info, err := os.Stat(root)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("inflection: %s %s needs the CoNLL-SIGMORPHON 2017 files, looked "+
			"in %s but it does not exist; %s", language, part, root, fetchHint(dataDir))
	}
	if err != nil {
		return nil, fmt.Errorf("inflection: %s %s: %w", language, part, err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("inflection: %s %s: %s is not a directory; %s",
			language, part, root, fetchHint(dataDir))
	}

	manifest, err := fetch.ParseManifest(data.SIGMORPHON2017Manifest)
	if err != nil {
		return nil, err
	}
	if err := fetch.VerifyFiles(dataDir, manifest, []string{file}); err != nil {
		return nil, fmt.Errorf("inflection: %s %s: %w\nthe files must match their published "+
			"SHA-256; %s", language, part, err, fetchHint(dataDir))
	}
	return ReadFile(filepath.Join(dataDir, filepath.FromSlash(file)))
}
