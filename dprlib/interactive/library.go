package interactive

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// LibraryVersion is the ECharts version that set-up installs and that
// go-echarts v2.6.7 writes its options for.
const LibraryVersion = "5.4.3"

// LibraryEnv is the environment variable that overrides the path of
// echarts.min.js. dprlib/scripts/setup.sh exports it.
const LibraryEnv = "DPR_ECHARTS_JS"

// setupCommand is the command that installs the library.
const setupCommand = "bash dprlib/scripts/setup.sh"

// LibraryPath returns the path that Library reads: the value of
// DPR_ECHARTS_JS when it is set, and otherwise
// ${XDG_CACHE_HOME:-$HOME/.cache}/dprkit/echarts-5.4.3/echarts.min.js, the
// rule that setup.sh applies on every operating system.
func LibraryPath() (string, error) {
	if p := os.Getenv(LibraryEnv); p != "" {
		return p, nil
	}
	cache := os.Getenv("XDG_CACHE_HOME")
	if cache == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("interactive: cannot locate echarts.min.js: %w; "+
				"set %s to the file's path", err, LibraryEnv)
		}
		cache = filepath.Join(home, ".cache")
	}
	return filepath.Join(cache, "dprkit", "echarts-"+LibraryVersion, "echarts.min.js"), nil
}

// Library reads echarts.min.js from LibraryPath. It never downloads. For a
// missing file it returns an error that names the path and the command
// that installs the file, `bash dprlib/scripts/setup.sh`. Library also rejects a file that is
// empty or that contains "</script", which would end the inline <script>
// element early.
func Library() ([]byte, error) {
	path, err := LibraryPath()
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("interactive: ECharts %s not found at %s; run `%s` from the "+
			"repository root to download and verify it (or set %s to an existing echarts.min.js)",
			LibraryVersion, path, setupCommand, LibraryEnv)
	}
	if err != nil {
		return nil, fmt.Errorf("interactive: read ECharts: %w", err)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fmt.Errorf("interactive: ECharts file %s is empty; delete it and run `%s`",
			path, setupCommand)
	}
	if bytes.Contains(bytes.ToLower(data), []byte("</script")) {
		return nil, fmt.Errorf("interactive: ECharts file %s contains \"</script\", which cannot "+
			"be inlined in HTML; use the echarts.min.js that `%s` installs", path, setupCommand)
	}
	return data, nil
}
