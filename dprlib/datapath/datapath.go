// Package datapath locates the folder that contains the kit's datasets.
//
// The data directory holds one folder per dataset, such as scan/ for SCAN.
// Resolve picks it from, in order: an explicit flag value, the DPR_DATA_DIR
// environment variable, a data folder next to the repository, and the user
// cache folder that "dpr data fetch" writes to.
package datapath

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// EnvVar is the environment variable that names the data directory.
const EnvVar = "DPR_DATA_DIR"

// ModulePath is the module path that identifies the kit's go.mod.
const ModulePath = "github.com/dprkit/dprkit"

// Source identifies the rule of Resolve that chose a data directory.
type Source string

// Sources of a data directory, in the order Resolve tries them.
const (
	FromFlag  Source = "flag"
	FromEnv   Source = "environment variable " + EnvVar
	FromRepo  Source = "data folder beside the repository"
	FromCache Source = "user cache folder"
)

// Location is a resolved data directory and the rule that chose it.
type Location struct {
	Dir    string
	Source Source
}

// Resolve returns the data directory, as an absolute path, from the first
// of these that applies:
//
//  1. flagValue, when it is not empty;
//  2. the DPR_DATA_DIR environment variable, when it is not empty;
//  3. <repo root>/../shared/data, when it is a directory, where the repo
//     root is found by RepoRoot from the working directory;
//  4. CacheDir, which need not exist yet.
//
// Resolve does not check that the directories of rules 1, 2 and 4 exist,
// so that a download can create them.
func Resolve(flagValue string) (string, error) {
	location, err := Lookup(flagValue)
	return location.Dir, err
}

// Lookup is Resolve that also reports which rule chose the directory, for
// messages such as "looked in X (from DPR_DATA_DIR)".
func Lookup(flagValue string) (Location, error) {
	if flagValue != "" {
		return absolute(flagValue, FromFlag)
	}
	if value := os.Getenv(EnvVar); value != "" {
		return absolute(value, FromEnv)
	}
	if dir, ok := repoDataDir(); ok {
		return Location{Dir: dir, Source: FromRepo}, nil
	}
	dir, err := CacheDir()
	if err != nil {
		return Location{}, err
	}
	return Location{Dir: dir, Source: FromCache}, nil
}

func absolute(path string, source Source) (Location, error) {
	dir, err := filepath.Abs(path)
	if err != nil {
		return Location{}, fmt.Errorf("datapath: invalid data directory %q from %s: %w",
			path, source, err)
	}
	return Location{Dir: dir, Source: source}, nil
}

// repoDataDir returns <repo root>/../shared/data if the working directory
// is inside the repository and that folder exists.
func repoDataDir() (string, bool) {
	root, err := RepoRoot()
	if err != nil {
		return "", false
	}
	dir := filepath.Join(filepath.Dir(root), "shared", "data")
	info, err := os.Stat(dir)
	if err != nil || !info.IsDir() {
		return "", false
	}
	return dir, true
}

// CacheDir returns the folder where downloaded datasets are kept:
// dprkit/data under os.UserCacheDir, which on Linux is $XDG_CACHE_HOME, or
// ~/.cache when XDG_CACHE_HOME is unset.
func CacheDir() (string, error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("datapath: no user cache folder (%w); set --data-dir or %s "+
			"to choose the data directory", err, EnvVar)
	}
	return filepath.Join(cache, "dprkit", "data"), nil
}

// ErrNoRepoRoot is returned by RepoRoot and FindRepoRoot when no ancestor
// folder contains the kit's go.mod.
var ErrNoRepoRoot = errors.New("datapath: no repository root found")

// RepoRoot returns FindRepoRoot of the working directory.
func RepoRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("datapath: working directory: %w", err)
	}
	return FindRepoRoot(wd)
}

// FindRepoRoot returns the nearest of dir and its ancestors that contains a
// go.mod declaring the module github.com/dprkit/dprkit. A go.mod of another
// module is skipped. Tests use it to find files of the repository. The
// error wraps ErrNoRepoRoot when no such folder exists.
func FindRepoRoot(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("datapath: invalid folder %q: %w", dir, err)
	}
	for current := dir; ; current = filepath.Dir(current) {
		ok, err := declaresModule(filepath.Join(current, "go.mod"))
		if err != nil {
			return "", err
		}
		if ok {
			return current, nil
		}
		if filepath.Dir(current) == current {
			return "", fmt.Errorf("%w: no go.mod with module %s in %s or its parents",
				ErrNoRepoRoot, ModulePath, dir)
		}
	}
}

// declaresModule reports whether the go.mod at path declares ModulePath.
// A missing path, or one that is not a regular file, reports false.
func declaresModule(path string) (bool, error) {
	info, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) || (err == nil && !info.Mode().IsRegular()) {
		return false, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return false, fmt.Errorf("datapath: read %s: %w", path, err)
	}
	defer f.Close()

	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		fields := strings.Fields(scanner.Text())
		if len(fields) >= 2 && fields[0] == "module" {
			return strings.Trim(fields[1], `"`) == ModulePath, nil
		}
	}
	if err := scanner.Err(); err != nil {
		return false, fmt.Errorf("datapath: read %s: %w", path, err)
	}
	return false, nil
}
