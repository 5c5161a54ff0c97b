package datapath

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// makeTree creates the given folders and files (name → content) under a
// new temporary folder and returns it. A name ending in "/" is a folder.
func makeTree(t *testing.T, entries map[string]string) string {
	t.Helper()
	root := t.TempDir()
	// Resolve symbolic links, such as /tmp → /private/tmp on macOS, so that
	// paths compare equal to os.Getwd's.
	root, err := filepath.EvalSymlinks(root)
	if err != nil {
		t.Fatal(err)
	}
	for name, content := range entries {
		path := filepath.Join(root, filepath.FromSlash(name))
		if name[len(name)-1] == '/' {
			if err := os.MkdirAll(path, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

const kitGoMod = "module github.com/dprkit/dprkit\n\ngo 1.27.3\n"

func TestLookupOrder(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the cache folder rules tested here are those of os.UserCacheDir on Linux")
	}
	withShared := makeTree(t, map[string]string{
		"repo/go.mod":   kitGoMod,
		"repo/cmd/dpr/": "",
		"shared/data/":  "",
	})
	withoutShared := makeTree(t, map[string]string{
		"repo/go.mod":   kitGoMod,
		"repo/cmd/dpr/": "",
	})
	outside := makeTree(t, map[string]string{"work/": ""})
	cache := t.TempDir()
	home := t.TempDir()

	tests := []struct {
		name      string
		flag      string
		env       string
		xdgCache  string
		wd        string
		wantDir   string
		wantRule  Source
		wantError bool
	}{
		{
			name: "flag wins", flag: "/data/from-flag", env: "/data/from-env",
			wd:      filepath.Join(withShared, "repo"),
			wantDir: "/data/from-flag", wantRule: FromFlag,
		},
		{
			name: "env without flag", env: "/data/from-env",
			wd:      filepath.Join(withShared, "repo"),
			wantDir: "/data/from-env", wantRule: FromEnv,
		},
		{
			name:    "shared data beside repo",
			wd:      filepath.Join(withShared, "repo", "cmd", "dpr"),
			wantDir: filepath.Join(withShared, "shared", "data"), wantRule: FromRepo,
		},
		{
			name: "repo without shared data", xdgCache: cache,
			wd:      filepath.Join(withoutShared, "repo"),
			wantDir: filepath.Join(cache, "dprkit", "data"), wantRule: FromCache,
		},
		{
			name: "outside repo", xdgCache: cache,
			wd:      filepath.Join(outside, "work"),
			wantDir: filepath.Join(cache, "dprkit", "data"), wantRule: FromCache,
		},
		{
			name:    "home cache without XDG_CACHE_HOME",
			wd:      filepath.Join(outside, "work"),
			wantDir: filepath.Join(home, ".cache", "dprkit", "data"), wantRule: FromCache,
		},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			t.Setenv(EnvVar, test.env)
			t.Setenv("XDG_CACHE_HOME", test.xdgCache)
			t.Setenv("HOME", home)
			t.Chdir(test.wd)

			got, err := Lookup(test.flag)
			if err != nil {
				t.Fatalf("Lookup(%q): %v", test.flag, err)
			}
			if got.Dir != test.wantDir {
				t.Errorf("Lookup(%q).Dir = %q, want %q", test.flag, got.Dir, test.wantDir)
			}
			if got.Source != test.wantRule {
				t.Errorf("Lookup(%q).Source = %q, want %q", test.flag, got.Source, test.wantRule)
			}

			dir, err := Resolve(test.flag)
			if err != nil {
				t.Fatalf("Resolve(%q): %v", test.flag, err)
			}
			if dir != test.wantDir {
				t.Errorf("Resolve(%q) = %q, want %q", test.flag, dir, test.wantDir)
			}
		})
	}
}

func TestResolveRelativeFlag(t *testing.T) {
	wd := makeTree(t, map[string]string{"data/": ""})
	t.Chdir(wd)

	got, err := Resolve("data")
	if err != nil {
		t.Fatalf("Resolve(%q): %v", "data", err)
	}
	want := filepath.Join(wd, "data")
	if got != want {
		t.Errorf("Resolve(%q) = %q, want %q", "data", got, want)
	}
}

func TestFindRepoRoot(t *testing.T) {
	root := makeTree(t, map[string]string{
		"repo/go.mod":       kitGoMod,
		"repo/dprlib/scan/": "",
		"repo/tools/go.mod": "module example.com/tools\n",
		"repo/tools/lint/":  "",
		"quoted/go.mod":     "// comment\nmodule \"github.com/dprkit/dprkit\"\n",
		"quoted/a/":         "",
		"other/go.mod":      "module github.com/dprkit/dprkit/v2\n",
		"other/pkg/":        "",
		"nomodule/go.mod":   "go 1.27\n",
		"nomodule/pkg/":     "",
	})

	tests := []struct {
		start string
		want  string // "" when no root is expected
	}{
		{start: "repo", want: "repo"},
		{start: "repo/dprlib", want: "repo"},
		{start: "repo/tools/lint", want: "repo"},
		{start: "quoted/a", want: "quoted"},
		{start: "other/pkg", want: ""},
		{start: "nomodule/pkg", want: ""},
	}
	for _, test := range tests {
		start := filepath.Join(root, filepath.FromSlash(test.start))
		got, err := FindRepoRoot(start)
		if test.want == "" {
			if !errors.Is(err, ErrNoRepoRoot) {
				t.Errorf("FindRepoRoot(%s) = %q, %v, want error wrapping ErrNoRepoRoot",
					test.start, got, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("FindRepoRoot(%s): %v", test.start, err)
			continue
		}
		want := filepath.Join(root, filepath.FromSlash(test.want))
		if got != want {
			t.Errorf("FindRepoRoot(%s) = %q, want %q", test.start, got, want)
		}
	}
}

func TestFindRepoRootSkipsGoModFolder(t *testing.T) {
	root := makeTree(t, map[string]string{
		"repo/go.mod":         kitGoMod,
		"repo/weird/go.mod/":  "",
		"repo/weird/inner/x/": "",
	})
	got, err := FindRepoRoot(filepath.Join(root, "repo", "weird", "inner", "x"))
	if err != nil {
		t.Fatalf("FindRepoRoot below a folder named go.mod: %v", err)
	}
	if want := filepath.Join(root, "repo"); got != want {
		t.Errorf("FindRepoRoot below a folder named go.mod = %q, want %q", got, want)
	}
}

func TestRepoRootOfThisRepository(t *testing.T) {
	root, err := RepoRoot()
	if err != nil {
		t.Fatalf("RepoRoot from the package folder: %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, "dprlib", "datapath", "datapath.go")); err != nil {
		t.Errorf("RepoRoot() = %q, which has no dprlib/datapath/datapath.go: %v", root, err)
	}
}
