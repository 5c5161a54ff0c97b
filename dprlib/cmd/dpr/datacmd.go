package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/dprkit/dprkit/data"
	"github.com/dprkit/dprkit/dprlib/datapath"
	"github.com/dprkit/dprkit/dprlib/fetch"
)

// dataset is a dataset that "dpr data" can download and verify.
type dataset struct {
	// name is the value of the -dataset flag, such as "scan".
	name string
	// label names the dataset in messages, such as "SCAN".
	label    string
	manifest []byte
}

// defaultDataset is the value of the -dataset flag when it is not given.
const defaultDataset = "scan"

// datasets are the values of the -dataset flag, the default first.
var datasets = []dataset{
	{defaultDataset, "SCAN", data.SCANManifest},
	{"gsm8k", "GSM8K", data.GSM8KManifest},
	{"sigmorphon2017", "CoNLL-SIGMORPHON 2017", data.SIGMORPHON2017Manifest},
}

// datasetNames returns the valid -dataset values, comma-separated.
func datasetNames() string {
	names := make([]string, len(datasets))
	for i, d := range datasets {
		names[i] = d.name
	}
	return strings.Join(names, ", ")
}

// lookupDataset returns the dataset called name, or a usage error that
// lists the valid names.
func lookupDataset(name string) (dataset, error) {
	for _, d := range datasets {
		if d.name == name {
			return d, nil
		}
	}
	return dataset{}, usageError{fmt.Errorf("-dataset %q is unknown; valid names are %s",
		name, datasetNames())}
}

func runData(ctx context.Context, env *environment, args []string) error {
	actions := fmt.Sprintf("use \"dpr data fetch\" to download the official files of a dataset "+
		"or \"dpr data verify\" to check them; -dataset picks one of %s (default %s); "+
		"add -h after either for its flags", datasetNames(), defaultDataset)
	if len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
		fmt.Fprintln(env.stderr, "Usage: dpr data fetch|verify [flags]\n\n"+actions+".")
		return flag.ErrHelp
	}
	if len(args) == 0 || (args[0] != "fetch" && args[0] != "verify") {
		return usageError{errors.New(actions)}
	}
	action := args[0]
	fs := newFlagSet(env, "data", "data "+action)
	datasetName := fs.String("dataset", defaultDataset,
		"dataset to "+action+": "+datasetNames())
	dataDir := fs.String("data-dir", "", "folder to write to or check (default $DPR_DATA_DIR, then the "+
		"user cache folder; verify also looks in shared/data beside the repository)")
	baseURL := ""
	if action == "fetch" {
		fs.StringVar(&baseURL, "base-url", "", "download from a mirror with the upstream repository's "+
			"file layout, such as http://host/SCAN for SCAN (default the pinned GitHub commit)")
	}
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	selected, err := lookupDataset(*datasetName)
	if err != nil {
		return err
	}
	manifest, err := fetch.ParseManifest(selected.manifest)
	if err != nil {
		return err
	}
	dir, err := dataTarget(*dataDir, action)
	if err != nil {
		return err
	}
	if info, err := os.Stat(dir); err == nil && !info.IsDir() {
		return usageError{fmt.Errorf("data folder %s is a file: give a folder with -data-dir", dir)}
	}

	if action == "verify" {
		if err := fetch.Verify(dir, manifest); err != nil {
			return fmt.Errorf("%w\nrun \"dpr data fetch%s -data-dir %s\" to download the missing or "+
				"differing files", err, datasetFlag(selected.name), dir)
		}
		fmt.Fprintf(env.stdout, "all %d %s files in %s match their checksums\n",
			len(manifest.Files), selected.label, dir)
		return nil
	}
	res, err := fetch.Fetch(ctx, manifest, baseURL, dir, nil)
	if err != nil {
		return fmt.Errorf("download into %s failed for %d of %d files (%d were already present); "+
			"check the network, or pass -base-url with a mirror. First failure:\n  %s",
			dir, len(manifest.Files)-len(res.Downloaded)-len(res.Present), len(manifest.Files),
			len(res.Present), firstLine(err))
	}
	fmt.Fprintf(env.stdout, "%s in %s: %d downloaded, %d already present, all checksums verified\n",
		selected.label, dir, len(res.Downloaded), len(res.Present))
	return nil
}

// datasetFlag returns the -dataset flag that selects name in a suggested
// command line, or "" for the default dataset.
func datasetFlag(name string) string {
	if name == defaultDataset {
		return ""
	}
	return " -dataset " + name
}

// dataTarget returns the folder "dpr data" works on: the flag, else
// $DPR_DATA_DIR, else (verify only) the data folder beside the repository,
// else the user cache. fetch never writes to the folder beside the
// repository, which holds a shared read-only copy.
func dataTarget(flagValue, action string) (string, error) {
	if flagValue != "" {
		return flagValue, nil
	}
	if env := os.Getenv(datapath.EnvVar); env != "" {
		return env, nil
	}
	if action == "verify" {
		return datapath.Resolve("")
	}
	return datapath.CacheDir()
}

func firstLine(err error) string {
	line, _, _ := strings.Cut(err.Error(), "\n")
	return line
}
