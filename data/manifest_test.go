package data_test

import (
	"bufio"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dprkit/dprkit/data"
	"github.com/dprkit/dprkit/dprlib/datapath"
	"github.com/dprkit/dprkit/dprlib/fetch"
	"github.com/dprkit/dprkit/dprlib/inflection"
	"github.com/dprkit/dprkit/dprlib/scan"
)

const scanCommit = "c4b756cbc010d75c912f16c42c8f15dc6b7e6c8f"

func TestSCANManifest(t *testing.T) {
	m, err := fetch.ParseManifest(data.SCANManifest)
	if err != nil {
		t.Fatalf("ParseManifest(SCANManifest): %v", err)
	}
	if m.Name != "scan" {
		t.Errorf("Name = %q, want %q", m.Name, "scan")
	}
	if m.Commit != scanCommit {
		t.Errorf("Commit = %q, want %q", m.Commit, scanCommit)
	}
	wantBase := "https://raw.githubusercontent.com/brendenlake/SCAN/" + scanCommit
	if m.BaseURL != wantBase {
		t.Errorf("BaseURL = %q, want %q", m.BaseURL, wantBase)
	}
	if m.LicenseFile != "scan/LICENSE" {
		t.Errorf("LicenseFile = %q, want %q", m.LicenseFile, "scan/LICENSE")
	}

	// Each local path and the upstream path it comes from. The size
	// variations live in a subfolder of simple_split upstream.
	const sizes = "simple_split/size_variations/"
	wantFiles := map[string]string{
		"scan/simple_split/tasks_train_simple.txt":        "simple_split/tasks_train_simple.txt",
		"scan/simple_split/tasks_test_simple.txt":         "simple_split/tasks_test_simple.txt",
		"scan/length_split/tasks_train_length.txt":        "length_split/tasks_train_length.txt",
		"scan/length_split/tasks_test_length.txt":         "length_split/tasks_test_length.txt",
		"scan/size_variations/tasks_train_simple_p1.txt":  sizes + "tasks_train_simple_p1.txt",
		"scan/size_variations/tasks_train_simple_p2.txt":  sizes + "tasks_train_simple_p2.txt",
		"scan/size_variations/tasks_train_simple_p4.txt":  sizes + "tasks_train_simple_p4.txt",
		"scan/size_variations/tasks_train_simple_p8.txt":  sizes + "tasks_train_simple_p8.txt",
		"scan/size_variations/tasks_train_simple_p16.txt": sizes + "tasks_train_simple_p16.txt",
		"scan/LICENSE":          "LICENSE",
		"scan/README.source.md": "README.md",
	}
	if len(m.Files) != len(wantFiles) {
		t.Errorf("manifest lists %d files, want %d", len(m.Files), len(wantFiles))
	}
	for _, f := range m.Files {
		upstreamPath, ok := wantFiles[f.Path]
		if !ok {
			t.Errorf("unexpected file %q", f.Path)
			continue
		}
		if want := wantBase + "/" + upstreamPath; f.URL != want {
			t.Errorf("%s: URL = %q, want %q", f.Path, f.URL, want)
		}
		if f.License != "BSD-3-Clause" {
			t.Errorf("%s: License = %q, want %q", f.Path, f.License, "BSD-3-Clause")
		}
	}
}

// realSCANDir returns the scan folder of the data directory, or skips the
// test when it does not exist.
func realSCANDir(t *testing.T) (dataDir, scanDir string) {
	t.Helper()
	dataDir, err := datapath.Resolve("")
	if err != nil {
		t.Skipf("no data directory: %v", err)
	}
	scanDir = filepath.Join(dataDir, "scan")
	if _, err := os.Stat(scanDir); err != nil {
		t.Skipf("SCAN files not found in %s; set DPR_DATA_DIR or run \"dpr data fetch\" "+
			"to run this test", scanDir)
	}
	return dataDir, scanDir
}

func TestSCANManifestMatchesSHA256SUMS(t *testing.T) {
	_, scanDir := realSCANDir(t)
	sumsPath := filepath.Join(scanDir, "SHA256SUMS")
	f, err := os.Open(sumsPath)
	if err != nil {
		t.Skipf("no checksum list at %s: %v", sumsPath, err)
	}
	defer f.Close()

	sums := map[string]string{}
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		fields := strings.Fields(scanner.Text())
		if len(fields) != 2 {
			t.Fatalf("%s: malformed line %q", sumsPath, scanner.Text())
		}
		sums["scan/"+strings.TrimPrefix(fields[1], "./")] = fields[0]
	}
	if err := scanner.Err(); err != nil {
		t.Fatal(err)
	}

	m, err := fetch.ParseManifest(data.SCANManifest)
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range m.Files {
		if got, want := file.SHA256, sums[file.Path]; got != want {
			t.Errorf("%s: manifest sha256 %q, %s has %q", file.Path, got, sumsPath, want)
		}
	}
}

func TestSCANManifestVerifiesLocalFiles(t *testing.T) {
	dataDir, _ := realSCANDir(t)
	m, err := fetch.ParseManifest(data.SCANManifest)
	if err != nil {
		t.Fatal(err)
	}
	if err := fetch.Verify(dataDir, m); err != nil {
		t.Errorf("Verify(%s): %v", dataDir, err)
	}
}

// TestSCANManifestFetchFromMirror serves the local SCAN files under their
// upstream paths from a loopback server, fetches them with the manifest
// into an empty folder and loads every official split from there.
func TestSCANManifestFetchFromMirror(t *testing.T) {
	dataDir, _ := realSCANDir(t)
	m, err := fetch.ParseManifest(data.SCANManifest)
	if err != nil {
		t.Fatal(err)
	}
	local := map[string]string{} // upstream URL path → local file
	for _, f := range m.Files {
		upstreamPath := strings.TrimPrefix(f.URL, m.BaseURL)
		local[upstreamPath] = filepath.Join(dataDir, filepath.FromSlash(f.Path))
	}
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path, ok := local[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		http.ServeFile(w, r, path)
	}))
	defer server.Close()

	dest := t.TempDir()
	result, err := fetch.Fetch(context.Background(), m, server.URL, dest, server.Client())
	if err != nil {
		t.Fatalf("Fetch from the loopback mirror: %v", err)
	}
	if len(result.Downloaded) != len(m.Files) {
		t.Errorf("Fetch downloaded %d files, want %d", len(result.Downloaded), len(m.Files))
	}
	if err := fetch.Verify(dest, m); err != nil {
		t.Errorf("Verify after Fetch: %v", err)
	}
	for _, name := range []string{"simple", "length", "simple-p1", "simple-p16"} {
		if _, err := scan.LoadSplit(dest, name); err != nil {
			t.Errorf("LoadSplit(%q) from the fetched files: %v", name, err)
		}
	}
}

const gsm8kCommit = "3101c7d5072418e28b9008a6636bde82a006892c"

func TestGSM8KManifest(t *testing.T) {
	m, err := fetch.ParseManifest(data.GSM8KManifest)
	if err != nil {
		t.Fatalf("ParseManifest(GSM8KManifest): %v", err)
	}
	if m.Name != "gsm8k" {
		t.Errorf("Name = %q, want %q", m.Name, "gsm8k")
	}
	if m.Commit != gsm8kCommit {
		t.Errorf("Commit = %q, want %q", m.Commit, gsm8kCommit)
	}
	wantBase := "https://raw.githubusercontent.com/openai/grade-school-math/" + gsm8kCommit
	if m.BaseURL != wantBase {
		t.Errorf("BaseURL = %q, want %q", m.BaseURL, wantBase)
	}
	if m.License != "MIT" {
		t.Errorf("License = %q, want %q", m.License, "MIT")
	}
	if m.LicenseFile != "gsm8k/LICENSE" {
		t.Errorf("LicenseFile = %q, want %q", m.LicenseFile, "gsm8k/LICENSE")
	}

	// Each local path and the upstream path it comes from.
	wantFiles := map[string]string{
		"gsm8k/train.jsonl": "grade_school_math/data/train.jsonl",
		"gsm8k/test.jsonl":  "grade_school_math/data/test.jsonl",
		"gsm8k/LICENSE":     "LICENSE",
	}
	if len(m.Files) != len(wantFiles) {
		t.Errorf("manifest lists %d files, want %d", len(m.Files), len(wantFiles))
	}
	for _, f := range m.Files {
		upstreamPath, ok := wantFiles[f.Path]
		if !ok {
			t.Errorf("unexpected file %q", f.Path)
			continue
		}
		if want := wantBase + "/" + upstreamPath; f.URL != want {
			t.Errorf("%s: URL = %q, want %q", f.Path, f.URL, want)
		}
		if f.License != "MIT" {
			t.Errorf("%s: License = %q, want %q", f.Path, f.License, "MIT")
		}
	}
}

// realGSM8KDir returns the data directory and its gsm8k folder, or skips
// the test when that folder does not exist.
func realGSM8KDir(t *testing.T) (dataDir, gsm8kDir string) {
	t.Helper()
	dataDir, err := datapath.Resolve("")
	if err != nil {
		t.Skipf("no data directory: %v", err)
	}
	gsm8kDir = filepath.Join(dataDir, "gsm8k")
	if _, err := os.Stat(gsm8kDir); err != nil {
		t.Skipf("GSM8K files not found in %s; set DPR_DATA_DIR or run "+
			"\"dpr data fetch -dataset gsm8k\" to run this test", gsm8kDir)
	}
	return dataDir, gsm8kDir
}

func TestGSM8KManifestMatchesSHA256SUMS(t *testing.T) {
	_, gsm8kDir := realGSM8KDir(t)
	sumsPath := filepath.Join(gsm8kDir, "SHA256SUMS")
	content, err := os.ReadFile(sumsPath)
	if err != nil {
		t.Skipf("no checksum list at %s: %v", sumsPath, err)
	}
	sums := map[string]string{}
	for number, line := range strings.Split(strings.TrimSpace(string(content)), "\n") {
		fields := strings.Fields(line)
		if len(fields) != 2 {
			t.Fatalf("%s:%d: malformed line %q, want \"<sha256>  <file>\"",
				sumsPath, number+1, line)
		}
		sums["gsm8k/"+strings.TrimPrefix(fields[1], "./")] = fields[0]
	}

	m, err := fetch.ParseManifest(data.GSM8KManifest)
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range m.Files {
		want, ok := sums[file.Path]
		if !ok {
			t.Errorf("%s: not listed in %s", file.Path, sumsPath)
			continue
		}
		if file.SHA256 != want {
			t.Errorf("%s: manifest sha256 %q, %s has %q", file.Path, file.SHA256, sumsPath, want)
		}
	}
}

func TestGSM8KManifestVerifiesLocalFiles(t *testing.T) {
	dataDir, _ := realGSM8KDir(t)
	m, err := fetch.ParseManifest(data.GSM8KManifest)
	if err != nil {
		t.Fatal(err)
	}
	if err := fetch.Verify(dataDir, m); err != nil {
		t.Errorf("Verify(%s): %v", dataDir, err)
	}
}

const sigmorphon2017Commit = "519bb1677a7c747b3863d37069ffd395062288d8"

func TestSIGMORPHON2017Manifest(t *testing.T) {
	m, err := fetch.ParseManifest(data.SIGMORPHON2017Manifest)
	if err != nil {
		t.Fatalf("ParseManifest(SIGMORPHON2017Manifest): %v", err)
	}
	if m.Name != "sigmorphon2017" {
		t.Errorf("Name = %q, want %q", m.Name, "sigmorphon2017")
	}
	if m.Commit != sigmorphon2017Commit {
		t.Errorf("Commit = %q, want %q", m.Commit, sigmorphon2017Commit)
	}
	wantBase := "https://raw.githubusercontent.com/sigmorphon/conll2017/" + sigmorphon2017Commit
	if m.BaseURL != wantBase {
		t.Errorf("BaseURL = %q, want %q", m.BaseURL, wantBase)
	}
	if m.License != "CC-BY-SA-3.0" {
		t.Errorf("License = %q, want %q", m.License, "CC-BY-SA-3.0")
	}

	// Each local path and the upstream path it comes from. The gold test
	// files are answers/task1/<language>-uncovered-test upstream.
	const local = "sigmorphon2017_inflection/"
	wantFiles := map[string]string{
		local + "README.source.md":             "README.md",
		local + "evaluation_README.source.txt": "evaluation/README",
	}
	for _, language := range inflection.Languages() {
		for _, part := range inflection.Parts() {
			upstream := "all/task1/" + language + "-" + part
			if part == "test" {
				upstream = "answers/task1/" + language + "-uncovered-test"
			}
			wantFiles[inflection.File(language, part)] = upstream
		}
	}
	if len(m.Files) != len(wantFiles) {
		t.Errorf("manifest lists %d files, want %d", len(m.Files), len(wantFiles))
	}
	for _, f := range m.Files {
		upstreamPath, ok := wantFiles[f.Path]
		if !ok {
			t.Errorf("unexpected file %q", f.Path)
			continue
		}
		if want := wantBase + "/" + upstreamPath; f.URL != want {
			t.Errorf("%s: URL = %q, want %q", f.Path, f.URL, want)
		}
		if f.License != "CC-BY-SA-3.0" {
			t.Errorf("%s: License = %q, want %q", f.Path, f.License, "CC-BY-SA-3.0")
		}
	}
}

// realSIGMORPHON2017Dir returns the data directory and its
// sigmorphon2017_inflection folder, or skips the test when that folder does
// not exist.
func realSIGMORPHON2017Dir(t *testing.T) (dataDir, inflectionDir string) {
	t.Helper()
	dataDir, err := datapath.Resolve("")
	if err != nil {
		t.Skipf("no data directory: %v", err)
	}
	inflectionDir = filepath.Join(dataDir, inflection.DataSubdir)
	if _, err := os.Stat(inflectionDir); err != nil {
		t.Skipf("CoNLL-SIGMORPHON 2017 files not found in %s; set DPR_DATA_DIR or run "+
			"\"dpr data fetch -dataset sigmorphon2017\" to run this test", inflectionDir)
	}
	return dataDir, inflectionDir
}

func TestSIGMORPHON2017ManifestMatchesSHA256SUMS(t *testing.T) {
	_, inflectionDir := realSIGMORPHON2017Dir(t)
	sumsPath := filepath.Join(inflectionDir, "SHA256SUMS")
	content, err := os.ReadFile(sumsPath)
	if err != nil {
		t.Skipf("no checksum list at %s: %v", sumsPath, err)
	}
	sums := map[string]string{}
	for number, line := range strings.Split(strings.TrimSpace(string(content)), "\n") {
		fields := strings.Fields(line)
		if len(fields) != 2 {
			t.Fatalf("%s:%d: malformed line %q, want \"<sha256>  <file>\"",
				sumsPath, number+1, line)
		}
		sums[inflection.DataSubdir+"/"+strings.TrimPrefix(fields[1], "./")] = fields[0]
	}

	m, err := fetch.ParseManifest(data.SIGMORPHON2017Manifest)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Files) != len(sums) {
		t.Errorf("manifest lists %d files, %s lists %d", len(m.Files), sumsPath, len(sums))
	}
	for _, file := range m.Files {
		want, ok := sums[file.Path]
		if !ok {
			t.Errorf("%s: not listed in %s", file.Path, sumsPath)
			continue
		}
		if file.SHA256 != want {
			t.Errorf("%s: manifest sha256 %q, %s has %q", file.Path, file.SHA256, sumsPath, want)
		}
	}
}

func TestSIGMORPHON2017ManifestVerifiesLocalFiles(t *testing.T) {
	dataDir, _ := realSIGMORPHON2017Dir(t)
	m, err := fetch.ParseManifest(data.SIGMORPHON2017Manifest)
	if err != nil {
		t.Fatal(err)
	}
	if err := fetch.Verify(dataDir, m); err != nil {
		t.Errorf("Verify(%s): %v", dataDir, err)
	}
}

// TestSIGMORPHON2017ManifestFetchFromMirror serves the local files under
// their upstream paths from a loopback server, fetches them with the
// manifest into an empty folder and loads every file from there.
func TestSIGMORPHON2017ManifestFetchFromMirror(t *testing.T) {
	dataDir, _ := realSIGMORPHON2017Dir(t)
	m, err := fetch.ParseManifest(data.SIGMORPHON2017Manifest)
	if err != nil {
		t.Fatal(err)
	}
	local := map[string]string{} // upstream URL path → local file
	for _, f := range m.Files {
		upstreamPath := strings.TrimPrefix(f.URL, m.BaseURL)
		local[upstreamPath] = filepath.Join(dataDir, filepath.FromSlash(f.Path))
	}
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path, ok := local[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		http.ServeFile(w, r, path)
	}))
	defer server.Close()

	dest := t.TempDir()
	result, err := fetch.Fetch(context.Background(), m, server.URL, dest, server.Client())
	if err != nil {
		t.Fatalf("Fetch from the loopback mirror: %v", err)
	}
	if len(result.Downloaded) != len(m.Files) {
		t.Errorf("Fetch downloaded %d files, want %d", len(result.Downloaded), len(m.Files))
	}
	if err := fetch.Verify(dest, m); err != nil {
		t.Errorf("Verify after Fetch: %v", err)
	}
	for _, language := range inflection.Languages() {
		for _, part := range inflection.Parts() {
			if _, err := inflection.Load(dest, language, part); err != nil {
				t.Errorf("Load(%q, %q) from the fetched files: %v", language, part, err)
			}
		}
	}
}
