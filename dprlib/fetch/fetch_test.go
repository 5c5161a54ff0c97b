package fetch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

const upstream = "https://example.invalid/dataset/0123abcd"

func sum(content string) string {
	h := sha256.Sum256([]byte(content))
	return hex.EncodeToString(h[:])
}

// testServer serves files by URL path on 127.0.0.1 and counts requests.
type testServer struct {
	*httptest.Server
	mu       sync.Mutex
	requests map[string]int
}

func newTestServer(t *testing.T, files map[string]string) *testServer {
	t.Helper()
	s := &testServer{requests: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.requests[r.URL.Path]++
		s.mu.Unlock()
		content, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write([]byte(content))
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *testServer) count(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[path]
}

const (
	goodContent = "IN: walk OUT: I_WALK\n"
	// corruptContent has the same length as goodContent, one byte changed.
	corruptContent = "IN: walk OUT: I_WALJ\n"
)

func testManifest(files ...File) Manifest {
	return Manifest{Name: "test", BaseURL: upstream, Files: files}
}

func goodFile() File {
	return File{
		Path: "test/good.txt", URL: upstream + "/dir/good.txt",
		Size: int64(len(goodContent)), SHA256: sum(goodContent),
	}
}

func corruptFile() File {
	return File{
		Path: "test/corrupt.txt", URL: upstream + "/corrupt.txt",
		Size: int64(len(goodContent)), SHA256: sum(goodContent),
	}
}

func missingFile() File {
	return File{
		Path: "test/missing.txt", URL: upstream + "/missing.txt",
		Size: 3, SHA256: sum("abc"),
	}
}

// listFiles returns every file under dir, relative and with forward
// slashes, temporary files included.
func listFiles(t *testing.T, dir string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		files = append(files, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(files)
	return files
}

func TestFetch(t *testing.T) {
	server := newTestServer(t, map[string]string{
		"/dir/good.txt": goodContent,
		"/corrupt.txt":  corruptContent,
	})
	dest := t.TempDir()
	m := testManifest(goodFile(), corruptFile(), missingFile())

	result, err := Fetch(context.Background(), m, server.URL, dest, server.Client())
	if err == nil {
		t.Fatal("Fetch with a corrupt file and a missing file: got no error")
	}

	if want := []string{"test/good.txt"}; !slices.Equal(result.Downloaded, want) {
		t.Errorf("Result.Downloaded = %q, want %q", result.Downloaded, want)
	}
	if want := []string{"test/good.txt"}; !slices.Equal(listFiles(t, dest), want) {
		t.Errorf("files in destination = %q, want only %q", listFiles(t, dest), want)
	}
	got, readErr := os.ReadFile(filepath.Join(dest, "test", "good.txt"))
	if readErr != nil || string(got) != goodContent {
		t.Errorf("good.txt = %q, %v, want %q", got, readErr, goodContent)
	}

	var mismatch *MismatchError
	if !errors.As(err, &mismatch) {
		t.Fatalf("Fetch error %q does not wrap a *MismatchError", err)
	}
	if mismatch.Path != "test/corrupt.txt" {
		t.Errorf("MismatchError.Path = %q, want %q", mismatch.Path, "test/corrupt.txt")
	}
	if mismatch.ActualSHA256 != sum(corruptContent) {
		t.Errorf("MismatchError.ActualSHA256 = %q, want %q", mismatch.ActualSHA256, sum(corruptContent))
	}
	for _, want := range []string{
		"2 of 3 files",
		"test/corrupt.txt: sha256 mismatch",
		"expected " + sum(goodContent),
		"got " + sum(corruptContent),
		"test/missing.txt",
		"404 Not Found",
		server.URL + "/missing.txt",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Fetch error = %q, want it to contain %q", err, want)
		}
	}
}

func TestFetchSkipsVerifiedFiles(t *testing.T) {
	server := newTestServer(t, map[string]string{"/dir/good.txt": goodContent})
	dest := t.TempDir()
	m := testManifest(goodFile())

	for round, want := range []Result{
		{Downloaded: []string{"test/good.txt"}},
		{Present: []string{"test/good.txt"}},
	} {
		result, err := Fetch(context.Background(), m, server.URL, dest, server.Client())
		if err != nil {
			t.Fatalf("Fetch round %d: %v", round, err)
		}
		if !slices.Equal(result.Downloaded, want.Downloaded) {
			t.Errorf("Fetch round %d: Downloaded = %q, want %q",
				round, result.Downloaded, want.Downloaded)
		}
		if !slices.Equal(result.Present, want.Present) {
			t.Errorf("Fetch round %d: Present = %q, want %q", round, result.Present, want.Present)
		}
	}
	if got := server.count("/dir/good.txt"); got != 1 {
		t.Errorf("server got %d requests for good.txt, want 1", got)
	}
}

func TestFetchReplacesCorruptLocalFile(t *testing.T) {
	server := newTestServer(t, map[string]string{"/dir/good.txt": goodContent})
	dest := t.TempDir()
	path := filepath.Join(dest, "test", "good.txt")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(corruptContent), 0o644); err != nil {
		t.Fatal(err)
	}

	result, err := Fetch(
		context.Background(), testManifest(goodFile()), server.URL, dest, server.Client(),
	)
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	if want := []string{"test/good.txt"}; !slices.Equal(result.Downloaded, want) {
		t.Errorf("Downloaded = %q, want %q", result.Downloaded, want)
	}
	if got, _ := os.ReadFile(path); string(got) != goodContent {
		t.Errorf("good.txt after Fetch = %q, want %q", got, goodContent)
	}
}

func TestFetchDeletesCorruptLocalFileWhenDownloadFails(t *testing.T) {
	server := newTestServer(t, map[string]string{"/corrupt.txt": corruptContent})
	dest := t.TempDir()
	path := filepath.Join(dest, "test", "corrupt.txt")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(corruptContent), 0o644); err != nil {
		t.Fatal(err)
	}

	_, err := Fetch(
		context.Background(), testManifest(corruptFile()), server.URL, dest, server.Client(),
	)
	if err == nil {
		t.Fatal("Fetch of a corrupt upstream file: got no error")
	}
	if files := listFiles(t, dest); len(files) != 0 {
		t.Errorf("files in destination = %q, want none", files)
	}
}

func TestFetchSizeMismatch(t *testing.T) {
	tests := []struct {
		name    string
		content string
		want    string
	}{
		{"short", "IN: walk", "expected 21 bytes, got 8"},
		{"long", goodContent + "IN: run OUT: I_RUN\n", "expected 21 bytes, got more than that"},
	}
	for _, test := range tests {
		server := newTestServer(t, map[string]string{"/dir/good.txt": test.content})
		dest := t.TempDir()
		_, err := Fetch(
			context.Background(), testManifest(goodFile()), server.URL, dest, server.Client(),
		)
		if err == nil {
			t.Errorf("%s: Fetch: got no error", test.name)
			continue
		}
		if !strings.Contains(err.Error(), test.want) {
			t.Errorf("%s: Fetch error = %q, want it to contain %q", test.name, err, test.want)
		}
		if files := listFiles(t, dest); len(files) != 0 {
			t.Errorf("%s: files in destination = %q, want none", test.name, files)
		}
	}
}

func TestFetchCanceled(t *testing.T) {
	server := newTestServer(t, map[string]string{"/dir/good.txt": goodContent})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Fetch(ctx, testManifest(goodFile()), server.URL, t.TempDir(), server.Client())
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Fetch with a canceled context = %v, want an error wrapping context.Canceled", err)
	}
	if got := server.count("/dir/good.txt"); got != 0 {
		t.Errorf("server got %d requests after cancellation, want 0", got)
	}
}

func TestVerify(t *testing.T) {
	dest := t.TempDir()
	write := func(name, content string) {
		path := filepath.Join(dest, "test", name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("good.txt", goodContent)
	if err := Verify(dest, testManifest(goodFile())); err != nil {
		t.Errorf("Verify of a good file: %v", err)
	}

	write("corrupt.txt", corruptContent)
	err := Verify(dest, testManifest(goodFile(), corruptFile(), missingFile()))
	if err == nil {
		t.Fatal("Verify with a corrupt and a missing file: got no error")
	}
	for _, want := range []string{
		"2 of 3 files",
		"corrupt.txt: sha256 mismatch: expected " + sum(goodContent) + ", got " + sum(corruptContent),
		filepath.Join(dest, "test", "missing.txt") + ": missing",
		"failed verification",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Verify error = %q, want it to contain %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "good.txt") {
		t.Errorf("Verify error = %q also names good.txt, which passes verification", err)
	}
}

func TestManifestURL(t *testing.T) {
	m := testManifest(goodFile())
	tests := []struct {
		override string
		want     string
	}{
		{"", upstream + "/dir/good.txt"},
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080/dir/good.txt"},
		{"http://127.0.0.1:8080/mirror/", "http://127.0.0.1:8080/mirror/dir/good.txt"},
	}
	for _, test := range tests {
		if got := m.url(goodFile(), test.override); got != test.want {
			t.Errorf("url with override %q = %q, want %q", test.override, got, test.want)
		}
	}
}

func TestParseManifestErrors(t *testing.T) {
	valid := `"name": "t", "base_url": "https://h/x"`
	file := func(fields string) string {
		return `{` + valid + `, "files": [{` + fields + `}]}`
	}
	entry := func(path, url, size, sha string) string {
		return file(`"path": "` + path + `", "url": "` + url + `", "size": ` + size +
			`, "sha256": "` + sha + `"`)
	}
	okSum := sum("x")
	const okURL = "https://h/x/a"
	tests := []struct {
		name string
		json string
		want string
	}{
		{"bad json", `{"name": `, "invalid manifest JSON"},
		{"unknown field", `{"name": "t", "color": "red"}`, `unknown field "color"`},
		{"no name", `{"base_url": "https://h/x"}`, `missing "name"`},
		{"relative base", `{"name": "t", "base_url": "h/x"}`, "base_url"},
		{"trailing slash", `{"name": "t", "base_url": "https://h/x/"}`, "trailing slash"},
		{"no files", `{` + valid + `}`, "no files"},
		{"absolute path", entry("/etc/x", okURL, "1", okSum), `path "/etc/x"`},
		{"escaping path", entry("../x", okURL, "1", okSum), `path "../x"`},
		{"unclean path", entry("a//b", okURL, "1", okSum), `path "a//b"`},
		{"other url", entry("a", "https://evil/a", "1", okSum), "must start with base_url"},
		{"zero size", entry("a", okURL, "0", okSum), "size 0"},
		{"short sum", entry("a", okURL, "1", "abc"), `sha256 "abc"`},
		{"upper sum", entry("a", okURL, "1", strings.ToUpper(okSum)), "lowercase"},
		{"non-hex sum", entry("a", okURL, "1", strings.Repeat("g", 64)), "hexadecimal"},
		{
			"license file not listed",
			`{` + valid + `, "license_file": "LICENSE", "files": [{"path": "a", ` +
				`"url": "https://h/x/a", "size": 1, "sha256": "` + okSum + `"}]}`,
			`license_file "LICENSE"`,
		},
		{
			"duplicate path",
			`{` + valid + `, "files": [` +
				`{"path": "a", "url": "https://h/x/a", "size": 1, "sha256": "` + okSum + `"}, ` +
				`{"path": "a", "url": "https://h/x/b", "size": 1, "sha256": "` + okSum + `"}]}`,
			`path "a" is listed twice`,
		},
	}
	for _, test := range tests {
		_, err := ParseManifest([]byte(test.json))
		if err == nil {
			t.Errorf("%s: ParseManifest: got no error", test.name)
			continue
		}
		if !strings.Contains(err.Error(), test.want) {
			t.Errorf("%s: ParseManifest error = %q, want it to contain %q", test.name, err, test.want)
		}
	}
}

func TestVerifyFiles(t *testing.T) {
	dest := t.TempDir()
	m := testManifest(goodFile(), corruptFile())
	if err := os.MkdirAll(filepath.Join(dest, "test"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dest, "test", "good.txt"), []byte(goodContent), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := VerifyFiles(dest, m, []string{goodFile().Path}); err != nil {
		t.Errorf("a good file failed: %v", err)
	}
	err := VerifyFiles(dest, m, []string{goodFile().Path, corruptFile().Path})
	if err == nil || !strings.Contains(err.Error(), "1 of 2 files") {
		t.Errorf("a missing file: error = %v, want 1 of 2 files to fail", err)
	}
	if err := VerifyFiles(dest, m, []string{"test/other.txt"}); err == nil ||
		!strings.Contains(err.Error(), "not in the manifest") {
		t.Errorf("an unlisted path: error = %v", err)
	}
}
