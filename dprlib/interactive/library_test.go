package interactive

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLibraryMissingFile(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "absent", "echarts.min.js")
	t.Setenv(LibraryEnv, missing)
	_, err := Library()
	if err == nil {
		t.Fatal("Library succeeded on a missing file")
	}
	for _, want := range []string{missing, "bash dprlib/scripts/setup.sh", "not found", LibraryEnv} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
}

func TestRenderWithoutLibraryFails(t *testing.T) {
	t.Setenv(LibraryEnv, filepath.Join(t.TempDir(), "echarts.min.js"))
	_, err := RenderSFTLoss(lossCurves())
	if err == nil || !strings.Contains(err.Error(), "bash dprlib/scripts/setup.sh") {
		t.Errorf("RenderSFTLoss without the library returned %v, expected the set-up hint", err)
	}
}

func TestLibraryPath(t *testing.T) {
	t.Setenv(LibraryEnv, "/opt/js/echarts.min.js")
	if got, _ := LibraryPath(); got != "/opt/js/echarts.min.js" {
		t.Errorf("with %s set, LibraryPath = %q", LibraryEnv, got)
	}

	t.Setenv(LibraryEnv, "")
	t.Setenv("XDG_CACHE_HOME", "/cache")
	want := filepath.Join("/cache", "dprkit", "echarts-5.4.3", "echarts.min.js")
	if got, _ := LibraryPath(); got != want {
		t.Errorf("with XDG_CACHE_HOME=/cache, LibraryPath = %q, expected %q", got, want)
	}

	t.Setenv("XDG_CACHE_HOME", "")
	t.Setenv("HOME", "/home/reader")
	want = filepath.Join("/home/reader", ".cache", "dprkit", "echarts-5.4.3", "echarts.min.js")
	if got, _ := LibraryPath(); got != want {
		t.Errorf("with only HOME=/home/reader, LibraryPath = %q, expected %q", got, want)
	}
}

func TestLibraryRejectsBadFiles(t *testing.T) {
	cases := []struct {
		name, content, want string
	}{
		{"empty", " \n", "is empty"},
		{"script end", `var s = "</SCRIPT>";`, `contains "</script"`},
	}
	for _, c := range cases {
		path := filepath.Join(t.TempDir(), "echarts.min.js")
		if err := os.WriteFile(path, []byte(c.content), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Setenv(LibraryEnv, path)
		_, err := Library()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: Library returned %v, expected an error containing %q", c.name, err, c.want)
		}
	}
}

func TestLibraryReadsFile(t *testing.T) {
	useFakeLibrary(t)
	got, err := Library()
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != fakeLibrary {
		t.Errorf("Library = %q, expected the file's content %q", got, fakeLibrary)
	}
}
