package scan

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
)

// Split is a named pair of training and test sets.
type Split struct {
	// Name is the name that LoadSplit accepts for this split.
	Name string
	// Train and Test are the examples in the order of their source: file
	// order for official splits and the shuffled order for generated ones.
	Train []Example
	Test  []Example
}

// DataSubdir is the folder under a data directory that contains the
// official SCAN files, laid out as
//
//	scan/simple_split/tasks_{train,test}_simple.txt
//	scan/length_split/tasks_{train,test}_length.txt
//	scan/size_variations/tasks_train_simple_p{1,2,4,8,16}.txt
const DataSubdir = "scan"

// sizePercents are the training-set sizes, in percent of all commands, of
// the official size variations and of the generated splits.
var sizePercents = []int{1, 2, 4, 8, 16}

// SplitNames returns the names that LoadSplit accepts: the official splits
// "simple", "length" and "simple-p1" to "simple-p16", which are read from
// files, then the generated splits "gen-p1" to "gen-p16" and "gen-all",
// which need no files.
func SplitNames() []string {
	names := []string{"simple", "length"}
	for _, p := range sizePercents {
		names = append(names, fmt.Sprintf("simple-p%d", p))
	}
	for _, p := range sizePercents {
		names = append(names, fmt.Sprintf("gen-p%d", p))
	}
	return append(names, "gen-all")
}

// LoadSplit returns the split called name. Official splits are read from
// dataDir/scan (see DataSubdir):
//
//   - "simple": the simple split's training and test files;
//   - "length": the length split's training and test files;
//   - "simple-pX" for X in 1, 2, 4, 8, 16: the training file of the size
//     variation pX. The test set is every example of the simple split's
//     training file, then of its test file, whose command is not in the pX
//     training file, in file order.
//
// Generated splits ignore dataDir and come from Generate:
//
//   - "gen-pX" for X in 1, 2, 4, 8, 16: the NumCommands commands in a fixed
//     pseudo-random order (see GeneratedSplit), the first
//     ⌊X·NumCommands/100⌋ of them as training set and the rest as test set;
//   - "gen-all": every command as training set and an empty test set.
func LoadSplit(dataDir, name string) (Split, error) {
	if name == "gen-all" {
		return Split{Name: name, Train: Generate(), Test: []Example{}}, nil
	}
	for _, p := range sizePercents {
		if name == fmt.Sprintf("gen-p%d", p) {
			return GeneratedSplit(p)
		}
	}

	switch name {
	case "simple":
		return loadTrainTest(dataDir, name, "simple_split/tasks_train_simple.txt",
			"simple_split/tasks_test_simple.txt")
	case "length":
		return loadTrainTest(dataDir, name, "length_split/tasks_train_length.txt",
			"length_split/tasks_test_length.txt")
	}
	for _, p := range sizePercents {
		if name == fmt.Sprintf("simple-p%d", p) {
			return loadSizeVariation(dataDir, name, p)
		}
	}
	return Split{}, fmt.Errorf("scan: unknown split %q; valid names are %s",
		name, strings.Join(SplitNames(), ", "))
}

// SplitFiles returns the files that LoadSplit reads for an official split,
// as slash-separated paths relative to the data directory (such as
// "scan/simple_split/tasks_train_simple.txt"). It returns nil for generated
// splits and unknown names.
func SplitFiles(name string) []string {
	simple := []string{"simple_split/tasks_train_simple.txt", "simple_split/tasks_test_simple.txt"}
	var files []string
	switch name {
	case "simple":
		files = simple
	case "length":
		files = []string{"length_split/tasks_train_length.txt", "length_split/tasks_test_length.txt"}
	}
	for _, p := range sizePercents {
		if name == fmt.Sprintf("simple-p%d", p) {
			files = append(simple, fmt.Sprintf("size_variations/tasks_train_simple_p%d.txt", p))
		}
	}
	for i, f := range files {
		files[i] = DataSubdir + "/" + f
	}
	return files
}

// loadTrainTest reads a split from two files under dataDir/scan.
func loadTrainTest(dataDir, name, trainFile, testFile string) (Split, error) {
	root, err := officialRoot(dataDir, name)
	if err != nil {
		return Split{}, err
	}
	train, err := readOfficial(root, trainFile)
	if err != nil {
		return Split{}, err
	}
	test, err := readOfficial(root, testFile)
	if err != nil {
		return Split{}, err
	}
	return Split{Name: name, Train: train, Test: test}, nil
}

// loadSizeVariation reads the training file of size variation p and builds
// its test set from the simple split.
func loadSizeVariation(dataDir, name string, percent int) (Split, error) {
	simple, err := loadTrainTest(dataDir, name, "simple_split/tasks_train_simple.txt",
		"simple_split/tasks_test_simple.txt")
	if err != nil {
		return Split{}, err
	}
	root, err := officialRoot(dataDir, name)
	if err != nil {
		return Split{}, err
	}
	trainFile := fmt.Sprintf("size_variations/tasks_train_simple_p%d.txt", percent)
	train, err := readOfficial(root, trainFile)
	if err != nil {
		return Split{}, err
	}

	inTrain := make(map[string]bool, len(train))
	for _, e := range train {
		inTrain[e.Command] = true
	}
	var test []Example
	for _, e := range append(simple.Train, simple.Test...) {
		if !inTrain[e.Command] {
			test = append(test, e)
		}
	}
	return Split{Name: name, Train: train, Test: test}, nil
}

// fetchHint is the advice, in errors, on making the official files
// available.
const fetchHint = `set --data-dir or DPR_DATA_DIR to the folder that contains scan/, ` +
	`or run "dpr data fetch" to download the files`

// officialRoot returns dataDir/scan after checking that it is a directory.
func officialRoot(dataDir, split string) (string, error) {
	if dataDir == "" {
		return "", fmt.Errorf("scan: split %q needs the official SCAN files but no data "+
			"directory was given; %s (the gen-* splits need no files)", split, fetchHint)
	}
	root := filepath.Join(dataDir, DataSubdir)
	info, err := os.Stat(root)
	if errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("scan: split %q needs the official SCAN files, looked in %s "+
			"but it does not exist; %s (the gen-* splits need no files)", split, root, fetchHint)
	}
	if err != nil {
		return "", fmt.Errorf("scan: split %q: %w", split, err)
	}
	if !info.IsDir() {
		return "", fmt.Errorf("scan: split %q: %s is not a directory; %s", split, root, fetchHint)
	}
	return root, nil
}

// readOfficial reads one official file, given relative to root with
// forward slashes.
func readOfficial(root, file string) ([]Example, error) {
	path := filepath.Join(root, filepath.FromSlash(file))
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("scan: missing file %s; run \"dpr data fetch\" to download "+
			"the official files, or point --data-dir or DPR_DATA_DIR at a complete copy", path)
	}
	examples, err := ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("scan: %w", err)
	}
	return examples, nil
}

// Seeds of the PCG generator behind GeneratedSplit: 2018, the year SCAN was
// published, and the number of commands.
const (
	generatedSeed1 = 2018
	generatedSeed2 = NumCommands
)

// GeneratedSplit returns the split "gen-pX" for X = percent, one of 1, 2,
// 4, 8 or 16. It shuffles the output of Generate with a Fisher–Yates
// shuffle driven by math/rand/v2's PCG generator seeded with (2018, 20910),
// then takes the first ⌊percent·NumCommands/100⌋ examples as training set
// and the rest, in shuffled order, as test set. The sizes are 209, 418,
// 836, 1672 and 3345 training examples, the sizes of the official size
// variations. Because all percentages share one shuffle, each training set
// contains the smaller ones.
//
// The shuffle draws only PCG.Uint64 values and maps them to indices itself,
// so the result depends on the PCG algorithm alone and not on the Go
// version's implementation of rand.Shuffle.
func GeneratedSplit(percent int) (Split, error) {
	valid := false
	for _, p := range sizePercents {
		valid = valid || p == percent
	}
	if !valid {
		return Split{}, fmt.Errorf("scan: invalid generated split size %d%%; valid sizes are "+
			"1, 2, 4, 8 and 16", percent)
	}

	examples := Generate()
	source := rand.NewPCG(generatedSeed1, generatedSeed2)
	for i := len(examples) - 1; i > 0; i-- {
		j := uniformIndex(source, uint64(i+1))
		examples[i], examples[j] = examples[j], examples[i]
	}

	n := percent * len(examples) / 100
	return Split{
		Name:  fmt.Sprintf("gen-p%d", percent),
		Train: examples[:n:n],
		Test:  examples[n:],
	}, nil
}

// uniformIndex returns a uniformly distributed integer in [0, n) for n > 0.
// It rejects the draws below 2⁶⁴ mod n, so that the accepted range is a
// whole multiple of n and the remainder is unbiased.
func uniformIndex(source *rand.PCG, n uint64) uint64 {
	threshold := -n % n // 2⁶⁴ mod n in uint64 arithmetic
	for {
		x := source.Uint64()
		if x >= threshold {
			return x % n
		}
	}
}
