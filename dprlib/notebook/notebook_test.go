package notebook

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/dprkit/dprkit/dprlib/progress"
)

// cellEnv names the cell that a child run of the test binary plays, in
// place of running the tests. The cells end the program, so they cannot
// run inside the test process.
const cellEnv = "DPRKIT_NOTEBOOK_TEST_CELL"

// cells are the programs that runCell starts, by name.
var cells = map[string]func(){
	"bare panic": func() {
		var counts map[string]int
		counts["step"]++
	},
	"recovered panic": recoveredPanic,
	"run error": func() {
		Run(func() error { return fmt.Errorf("read model: %w", fs.ErrNotExist) })
	},
	"run panic": runPanic,
	"run ok": func() {
		Run(func() error {
			fmt.Print("cell done")
			return nil
		})
		fmt.Print(", after Run")
	},
	"must with open bar": func() {
		bar := progress.NewHTML(printDisplay{})
		trackBar(bar)
		bar.Start("SFT", 100)
		bar.Step(7, "loss 1.5")
		Must(errors.New("disk full"))
	},
}

func recoveredPanic() {
	defer Recover()
	var counts map[string]int
	counts["step"]++
}

func runPanic() {
	Run(func() error { panic("bad shape [2 3]") })
}

// printDisplay writes a bar's updates to standard output.
type printDisplay struct{}

func (printDisplay) Update(id, html string) { fmt.Println("update", id, html) }
func (printDisplay) Sync()                  { fmt.Println("sync") }

func TestMain(m *testing.M) {
	if name := os.Getenv(cellEnv); name != "" {
		cells[name]()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// cellResult is how a child run ended.
type cellResult struct {
	code           int
	stdout, stderr string
}

// runCell runs the cell name in a child process of the test binary.
func runCell(t *testing.T, name string) cellResult {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), cellEnv+"="+name)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		t.Fatalf("run cell %q: %v", name, err)
	}
	return cellResult{cmd.ProcessState.ExitCode(), stdout.String(), stderr.String()}
}

func TestBarePanicDumpsGoroutines(t *testing.T) {
	// The control case: without Recover, Go prints a goroutine dump and
	// exits with status 2. The checks below tell the two apart.
	got := runCell(t, "bare panic")
	if got.code != 2 {
		t.Errorf("exit status %d, expected 2", got.code)
	}
	if !strings.Contains(got.stderr, "goroutine ") {
		t.Errorf("standard error has no goroutine dump: %q", got.stderr)
	}
}

func TestRecoverShowsOneMessage(t *testing.T) {
	got := runCell(t, "recovered panic")
	if got.code != 1 {
		t.Errorf("exit status %d, expected 1", got.code)
	}
	if strings.Contains(got.stderr, "goroutine ") {
		t.Errorf("standard error still has a goroutine dump: %q", got.stderr)
	}
	want := "error: panic in dprlib/notebook.recoveredPanic (notebook_test.go:"
	if !strings.HasPrefix(got.stderr, want) {
		t.Errorf("standard error is %q, expected it to start with %q", got.stderr, want)
	}
	if !strings.HasSuffix(got.stderr, "): assignment to entry in nil map\n") {
		t.Errorf("standard error %q does not end with the panic's value", got.stderr)
	}
	if lines := strings.Count(got.stderr, "\n"); lines != 1 {
		t.Errorf("standard error has %d lines, expected 1: %q", lines, got.stderr)
	}
}

func TestRunReturnsErrorExits(t *testing.T) {
	got := runCell(t, "run error")
	if got.code != 1 {
		t.Errorf("exit status %d, expected 1", got.code)
	}
	if want := "error: read model: file does not exist\n"; got.stderr != want {
		t.Errorf("standard error is %q, expected %q", got.stderr, want)
	}
}

func TestRunPanicExits(t *testing.T) {
	got := runCell(t, "run panic")
	if got.code != 1 {
		t.Errorf("exit status %d, expected 1", got.code)
	}
	if !strings.HasPrefix(got.stderr, "error: panic in dprlib/notebook.runPanic.func1 (notebook_test.go:") {
		t.Errorf("standard error %q does not name the function that panicked", got.stderr)
	}
	if !strings.HasSuffix(got.stderr, "): bad shape [2 3]\n") {
		t.Errorf("standard error %q does not end with the panic's value", got.stderr)
	}
}

func TestRunSuccessContinues(t *testing.T) {
	got := runCell(t, "run ok")
	if got.code != 0 {
		t.Errorf("exit status %d, expected 0; standard error: %q", got.code, got.stderr)
	}
	if got.stdout != "cell done, after Run" {
		t.Errorf("standard output is %q, expected the cell to go on after Run", got.stdout)
	}
}

func TestMustFinishesOpenBars(t *testing.T) {
	got := runCell(t, "must with open bar")
	if got.code != 1 {
		t.Errorf("exit status %d, expected 1", got.code)
	}
	lines := strings.Split(strings.TrimSpace(got.stdout), "\n")
	if len(lines) < 3 {
		t.Fatalf("standard output has %d lines, expected the first bar, the final bar and "+
			"a sync: %q", len(lines), got.stdout)
	}
	final := lines[len(lines)-2]
	if !strings.Contains(final, "7/100 steps") || !strings.Contains(final, "stopped after") {
		t.Errorf("the final bar is %q, expected 7/100 steps and \"stopped after\"", final)
	}
	if lines[len(lines)-1] != "sync" {
		t.Errorf("the last output is %q, expected a sync after the final bar", lines[len(lines)-1])
	}
	if got.stderr != "error: disk full\n" {
		t.Errorf("standard error is %q, expected %q", got.stderr, "error: disk full\n")
	}
}

func TestPanicErrorKeepsError(t *testing.T) {
	err := panicError(fs.ErrNotExist, "dprlib/sft.Train (sft.go:274)")
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("panicError dropped the error value from the chain: %v", err)
	}
	if want := "panic in dprlib/sft.Train (sft.go:274): file does not exist"; err.Error() != want {
		t.Errorf("panicError = %q, expected %q", err, want)
	}
}

func TestPanicErrorWithoutSite(t *testing.T) {
	if got := panicError(42, "").Error(); got != "panic: 42" {
		t.Errorf("panicError(42, \"\") = %q, expected %q", got, "panic: 42")
	}
}

func TestPanicSiteOutsidePanic(t *testing.T) {
	if got := panicSite(); got != "" {
		t.Errorf("panicSite without a panic = %q, expected \"\"", got)
	}
}

func TestErrorHTMLEscapes(t *testing.T) {
	got := errorHTML(errors.New(`bad token "<eos>" & more`))
	want := `error: bad token &#34;&lt;eos&gt;&#34; &amp; more</pre>`
	if !strings.HasSuffix(got, want) {
		t.Errorf("errorHTML = %q, expected it to end with %q", got, want)
	}
	if !strings.Contains(got, "color:#b00020") {
		t.Errorf("errorHTML = %q, expected red text", got)
	}
}

func TestProgressOutsideNotebook(t *testing.T) {
	if _, ok := Progress().(*progress.Lines); !ok {
		t.Errorf("outside a notebook Progress returned %T, expected *progress.Lines", Progress())
	}
}
