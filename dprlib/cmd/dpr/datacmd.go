package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/dprkit/dprkit/data"
	"github.com/dprkit/dprkit/dprlib/datapath"
	"github.com/dprkit/dprkit/dprlib/fetch"
)

func runData(ctx context.Context, env *environment, args []string) error {
	if len(args) == 0 || (args[0] != "fetch" && args[0] != "verify") {
		return usageError{errors.New("use \"dpr data fetch\" to download the official SCAN files " +
			"or \"dpr data verify\" to check them")}
	}
	action := args[0]
	fs := newFlagSet(env, "data", action)
	dataDir := fs.String("data-dir", "", "destination folder (default $DPR_DATA_DIR, then the user cache "+
		"folder; the repository's shared data folder is only read, never written)")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	manifest, err := fetch.ParseManifest(data.SCANManifest)
	if err != nil {
		return err
	}
	dir := *dataDir
	if dir == "" {
		dir = os.Getenv(datapath.EnvVar)
	}
	if dir == "" && action == "verify" {
		if dir, err = datapath.Resolve(""); err != nil {
			return err
		}
	}
	if dir == "" {
		if dir, err = datapath.CacheDir(); err != nil {
			return err
		}
	}
	if action == "verify" {
		if err := fetch.Verify(dir, manifest); err != nil {
			return fmt.Errorf("%w\nrun \"dpr data fetch -data-dir %s\" to download what is missing", err, dir)
		}
		fmt.Fprintf(env.stdout, "all %d SCAN files in %s match their checksums\n", len(manifest.Files), dir)
		return nil
	}
	res, err := fetch.Fetch(ctx, manifest, "", dir, nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "SCAN in %s: %d downloaded, %d already present, all checksums verified\n",
		dir, len(res.Downloaded), len(res.Present))
	return nil
}
