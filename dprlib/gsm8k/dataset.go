// Package gsm8k reads GSM8K (Cobbe et al. 2021), grade-school math word
// problems with worked solutions, and turns them into token sequences for
// the policy model.
//
// GSM8K is natural-language text, unlike SCAN's small command language, so
// the kit uses it to check on real text that the identities between SFT and
// inverse soft-Q learning hold. The files are JSON Lines, one
// {"question": ..., "answer": ...} object per line. Each answer is a worked
// solution that contains calculator annotations such as <<48/2=24>> and
// ends with a line "#### <number>", the final answer.
//
// The pipeline is ReadFile or Load for the examples, Words to split text
// into words, Vocabulary for a word list, tokenizer.New on that list, and
// Encode for the sequences.
package gsm8k

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/dprkit/dprkit/data"
	"github.com/dprkit/dprkit/dprlib/fetch"
)

// Example is one GSM8K demonstration: a word problem and its worked
// solution, as stored in the file.
type Example struct {
	Question string
	Answer   string
}

// DataSubdir is the folder under a data directory that contains the GSM8K
// files gsm8k/train.jsonl and gsm8k/test.jsonl.
const DataSubdir = "gsm8k"

// lineFormat describes the expected line format for error messages.
const lineFormat = `each line must be a JSON object {"question": "...", "answer": "..."}`

// maxLineBytes is the maximum line length, in bytes, that ReadFile
// accepts. The longest line of the published files has 1,743 bytes.
const maxLineBytes = 1 << 20

// ReadFile reads a GSM8K JSON Lines file, one example per line, in file
// order. Blank lines are skipped. Fields other than "question" and
// "answer" are ignored. An error names the file and the 1-based line
// number: invalid JSON (with the column), a missing, null, non-string or
// blank field, or a line longer than 1 MiB. A file without examples is an
// error too.
func ReadFile(path string) ([]Example, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("gsm8k: read examples: %w", err)
	}
	defer f.Close()

	var examples []Example
	scanner := bufio.NewScanner(f)
	scanner.Buffer(make([]byte, 0, 64*1024), maxLineBytes)
	lineNumber := 0
	for scanner.Scan() {
		lineNumber++
		line := strings.TrimRight(scanner.Text(), "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		example, err := parseLine(line)
		if err != nil {
			return nil, fmt.Errorf("gsm8k: %s:%d: %w", path, lineNumber, err)
		}
		examples = append(examples, example)
	}
	if err := scanner.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("gsm8k: %s:%d: line longer than 1 MiB; is this a GSM8K file?",
				path, lineNumber+1)
		}
		return nil, fmt.Errorf("gsm8k: read %s: %w", path, err)
	}
	if len(examples) == 0 {
		return nil, fmt.Errorf("gsm8k: %s: no examples found; %s", path, lineFormat)
	}
	return examples, nil
}

// jsonLine is the JSON form of one line. Pointers tell a missing or null
// field from an empty string.
type jsonLine struct {
	Question *string `json:"question"`
	Answer   *string `json:"answer"`
}

// parseLine decodes one non-blank line of a GSM8K file.
func parseLine(line string) (Example, error) {
	decoder := json.NewDecoder(strings.NewReader(line))
	var fields jsonLine
	if err := decoder.Decode(&fields); err != nil {
		return Example{}, describeJSONError(err)
	}
	end := int(decoder.InputOffset())
	if _, err := decoder.Token(); err != io.EOF {
		column := len(line) - len(strings.TrimLeft(line[end:], " \t")) + 1
		return Example{}, fmt.Errorf("invalid JSON: data after the object at column %d; %s",
			column, lineFormat)
	}

	values := []struct {
		name  string
		value *string
	}{
		{"question", fields.Question},
		{"answer", fields.Answer},
	}
	for _, field := range values {
		if field.value == nil {
			return Example{}, fmt.Errorf("missing or null field %q; %s", field.name, lineFormat)
		}
		if strings.TrimSpace(*field.value) == "" {
			return Example{}, fmt.Errorf("field %q is blank; %s", field.name, lineFormat)
		}
	}
	return Example{Question: *fields.Question, Answer: *fields.Answer}, nil
}

// describeJSONError rewords a decoding error of one line, with the 1-based
// column of a syntax error.
func describeJSONError(err error) error {
	var syntaxErr *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntaxErr):
		return fmt.Errorf("invalid JSON at column %d: %v; %s", syntaxErr.Offset, err, lineFormat)
	case errors.As(err, &typeErr) && typeErr.Field == "":
		return fmt.Errorf("invalid line: a JSON %s, not an object; %s", typeErr.Value, lineFormat)
	case errors.As(err, &typeErr):
		return fmt.Errorf("field %q is a JSON %s, want a string; %s",
			typeErr.Field, typeErr.Value, lineFormat)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("invalid JSON: the line ends inside a value; %s", lineFormat)
	default:
		return fmt.Errorf("invalid JSON: %v; %s", err, lineFormat)
	}
}

// SplitNames returns the names that Load accepts: "train" and "test".
func SplitNames() []string {
	return []string{"train", "test"}
}

// SplitFile returns the file that Load reads for split, as a
// slash-separated path relative to the data directory, such as
// "gsm8k/train.jsonl", or "" for an unknown split.
func SplitFile(split string) string {
	switch split {
	case "train", "test":
		return DataSubdir + "/" + split + ".jsonl"
	}
	return ""
}

// fetchHint is the advice, in errors, on making the files available.
func fetchHint(dataDir string) string {
	if dataDir == "" {
		dataDir = "DIR"
	}
	return fmt.Sprintf(`run "dpr data fetch -dataset gsm8k -data-dir %s" to download the files, `+
		`or set --data-dir or DPR_DATA_DIR to a folder that contains a complete gsm8k/`, dataDir)
}

// Load reads the examples of split, "train" or "test", from
// dataDir/gsm8k/<split>.jsonl. It first checks the file's size and SHA-256
// against the embedded manifest (data.GSM8KManifest), so that an edited or
// damaged copy cannot pass for GSM8K. Errors say how to get the files when
// the folder or file is missing or differs.
func Load(dataDir, split string) ([]Example, error) {
	file := SplitFile(split)
	if file == "" {
		return nil, fmt.Errorf("gsm8k: unknown split %q; valid names are %s",
			split, strings.Join(SplitNames(), ", "))
	}
	if dataDir == "" {
		return nil, fmt.Errorf("gsm8k: split %q needs the GSM8K files but no data directory "+
			"was given; %s", split, fetchHint(""))
	}
	root := filepath.Join(dataDir, DataSubdir)
	info, err := os.Stat(root)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("gsm8k: split %q needs the GSM8K files, looked in %s but it "+
			"does not exist; %s", split, root, fetchHint(dataDir))
	}
	if err != nil {
		return nil, fmt.Errorf("gsm8k: split %q: %w", split, err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("gsm8k: split %q: %s is not a directory; %s",
			split, root, fetchHint(dataDir))
	}

	manifest, err := fetch.ParseManifest(data.GSM8KManifest)
	if err != nil {
		return nil, err
	}
	if err := fetch.VerifyFiles(dataDir, manifest, []string{file}); err != nil {
		return nil, fmt.Errorf("gsm8k: split %q: %w\nthe files must match their published "+
			"SHA-256; %s", split, err, fetchHint(dataDir))
	}
	return ReadFile(filepath.Join(dataDir, filepath.FromSlash(file)))
}
