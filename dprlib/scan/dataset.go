package scan

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"strings"
)

// Example is one SCAN demonstration: a command and its action sequence.
// Both fields are words separated by single spaces.
type Example struct {
	Command string
	Actions string
}

// CommandWords returns the words of the command.
func (e Example) CommandWords() []string {
	return strings.Fields(e.Command)
}

// ActionWords returns the action tokens of the example.
func (e Example) ActionWords() []string {
	return strings.Fields(e.Actions)
}

// Markers of the official line format "IN: <command> OUT: <actions>".
const (
	inPrefix     = "IN: "
	outSeparator = " OUT: "
)

// lineFormat describes the official line format for error messages.
const lineFormat = `each line must read "IN: <command> OUT: <actions>"`

// ParseLine parses one line of an official SCAN file, of the form
// "IN: <command> OUT: <actions>". A trailing line break is ignored and runs
// of white space inside the command and the actions collapse to single
// spaces. It checks the format only: the command is not interpreted.
func ParseLine(line string) (Example, error) {
	line = strings.TrimRight(line, "\r\n")
	rest, ok := strings.CutPrefix(line, inPrefix)
	if !ok {
		return Example{}, fmt.Errorf("line %s does not start with %q; %s",
			quoteExcerpt(line), inPrefix, lineFormat)
	}
	command, actions, ok := strings.Cut(rest, outSeparator)
	if !ok {
		return Example{}, fmt.Errorf("line %s has no %q separator; %s",
			quoteExcerpt(line), outSeparator, lineFormat)
	}
	example := Example{
		Command: strings.Join(strings.Fields(command), " "),
		Actions: strings.Join(strings.Fields(actions), " "),
	}
	if example.Command == "" {
		return Example{}, fmt.Errorf("line %s has an empty command; %s",
			quoteExcerpt(line), lineFormat)
	}
	if example.Actions == "" {
		return Example{}, fmt.Errorf("line %s has no actions after %q; %s",
			quoteExcerpt(line), strings.TrimSpace(outSeparator), lineFormat)
	}
	return example, nil
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

// ReadFile reads an official SCAN file, one ParseLine example per line, in
// file order. Blank lines are skipped. An error names the file and the
// 1-based line number. A file without examples is an error.
func ReadFile(path string) ([]Example, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read SCAN examples: %w", err)
	}
	defer f.Close()

	var examples []Example
	scanner := bufio.NewScanner(f)
	scanner.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	lineNumber := 0
	for scanner.Scan() {
		lineNumber++
		line := scanner.Text()
		if strings.TrimSpace(line) == "" {
			continue
		}
		example, err := ParseLine(line)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, lineNumber, err)
		}
		examples = append(examples, example)
	}
	if err := scanner.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("%s:%d: line longer than 1 MiB; is this a SCAN file?",
				path, lineNumber+1)
		}
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(examples) == 0 {
		return nil, fmt.Errorf("%s: no examples found; %s", path, lineFormat)
	}
	return examples, nil
}
