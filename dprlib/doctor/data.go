package doctor

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/dprkit/dprkit/dprlib/datapath"
	"github.com/dprkit/dprkit/dprlib/fetch"
)

// checkDataDir resolves the data directory with datapath.Lookup and reports
// which rule chose it. ok is false when no usable directory was found, and
// the dataset checks are then skipped.
func checkDataDir(flagValue string) (c Check, location datapath.Location, ok bool) {
	c = Check{Name: "data dir"}
	location, err := datapath.Lookup(flagValue)
	if err != nil {
		c.Status = Fail
		c.Detail = err.Error()
		c.Fix = "pass -data-dir DIR or export " + datapath.EnvVar + "=DIR"
		return c, location, false
	}
	info, err := os.Stat(location.Dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		c.Status = OK
		c.Detail = fmt.Sprintf("%s (%s) does not exist yet; dpr data fetch creates it",
			location.Dir, location.Source)
		return c, location, true
	case err != nil:
		c.Status = Fail
		c.Detail = fmt.Sprintf("%s (%s) cannot be read: %v", location.Dir, location.Source, err)
		c.Fix = "fix the folder's permissions, or pass -data-dir with another folder"
		return c, location, false
	case !info.IsDir():
		c.Status = Fail
		c.Detail = fmt.Sprintf("%s (%s) is a file, not a folder", location.Dir, location.Source)
		c.Fix = "pass -data-dir with a folder, or export " + datapath.EnvVar + " with one"
		return c, location, false
	}
	c.Status = OK
	c.Detail = fmt.Sprintf("%s (%s)", location.Dir, location.Source)
	return c, location, true
}

// checkDataset verifies the size and SHA-256 of each file of d that is
// present in the data directory. Absent files are a warning because every
// dataset is optional, and a present file that differs is a failure.
func checkDataset(location datapath.Location, dirOK bool, d Dataset) Check {
	c := Check{Name: "data " + d.Name}
	if !dirOK {
		c.Status = Warn
		c.Detail = "not checked, because the data directory is unusable"
		c.Fix = "fix the data dir check first"
		return c
	}
	manifest, err := fetch.ParseManifest(d.Manifest)
	if err != nil {
		c.Status = Fail
		c.Detail = fmt.Sprintf("the embedded manifest is invalid: %v", err)
		c.Fix = "rebuild dpr from an unmodified checkout: go run ./dprlib/cmd/dpr doctor"
		return c
	}

	var missing, damaged []string
	for _, f := range manifest.Files {
		path := filepath.Join(location.Dir, filepath.FromSlash(f.Path))
		if _, err := os.Lstat(path); errors.Is(err, fs.ErrNotExist) {
			missing = append(missing, f.Path)
			continue
		}
		if err := fetch.VerifyFiles(location.Dir, manifest, []string{f.Path}); err != nil {
			damaged = append(damaged, lastLine(err.Error()))
		}
	}

	total := len(manifest.Files)
	fetchFix := fetchCommand(location, d.Name)
	switch {
	case len(damaged) > 0:
		c.Status = Fail
		c.Detail = fmt.Sprintf("%d of %d files differ from the manifest: %s", len(damaged), total,
			strings.Join(damaged, "; "))
		if len(missing) > 0 {
			c.Detail += fmt.Sprintf(" (and %d are missing)", len(missing))
		}
		c.Fix = fetchFix + " (it replaces files that differ)"
	case len(missing) == total:
		c.Status = Warn
		c.Detail = fmt.Sprintf("none of its %d files are present; optional: %s", total, d.Use)
		c.Fix = fetchFix
	case len(missing) > 0:
		c.Status = Warn
		c.Detail = fmt.Sprintf("%d of %d files are missing, such as %s; the %d present match "+
			"their SHA-256", len(missing), total, missing[0], total-len(missing))
		c.Fix = fetchFix
	default:
		c.Status = OK
		c.Detail = fmt.Sprintf("all %d files present and match their SHA-256", total)
	}
	return c
}

// fetchCommand returns the command that downloads dataset name into the
// data directory that location names, so that later commands find it.
func fetchCommand(location datapath.Location, name string) string {
	command := "dpr data fetch -dataset " + name
	switch location.Source {
	case datapath.FromCache:
		return command
	case datapath.FromRepo:
		// The shared folder beside the repository is a read-only copy, so the
		// files go to the user cache, and DPR_DATA_DIR must point there because
		// the shared folder comes first otherwise.
		cache, err := datapath.CacheDir()
		if err != nil {
			return command + " -data-dir DIR, then export " + datapath.EnvVar + "=DIR"
		}
		return fmt.Sprintf("%s -data-dir %s, then export %s=%s", command, shellQuote(cache),
			datapath.EnvVar, shellQuote(cache))
	default:
		return command + " -data-dir " + shellQuote(location.Dir)
	}
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	return strings.TrimSpace(s)
}
