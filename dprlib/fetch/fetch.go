package fetch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/dprkit/dprkit/dprlib/internal/atomicfile"
)

// MismatchError reports a file whose size or SHA-256 differs from its
// manifest entry.
type MismatchError struct {
	// Path is the file's path under the data directory.
	Path string
	// ExpectedSize and ActualSize are in bytes. ActualSize is -1 when the
	// download was cut off after more than ExpectedSize bytes.
	ExpectedSize, ActualSize int64
	// ExpectedSHA256 and ActualSHA256 are lowercase hexadecimal. ActualSHA256
	// is empty when the sizes differ.
	ExpectedSHA256, ActualSHA256 string
}

// Error names the file and the expected and actual size or checksum.
func (e *MismatchError) Error() string {
	switch {
	case e.ActualSize < 0:
		return fmt.Sprintf("%s: size mismatch: expected %d bytes, got more than that",
			e.Path, e.ExpectedSize)
	case e.ActualSize != e.ExpectedSize:
		return fmt.Sprintf("%s: size mismatch: expected %d bytes, got %d",
			e.Path, e.ExpectedSize, e.ActualSize)
	default:
		return fmt.Sprintf("%s: sha256 mismatch: expected %s, got %s",
			e.Path, e.ExpectedSHA256, e.ActualSHA256)
	}
}

// Result lists what Fetch did, by manifest path.
type Result struct {
	// Downloaded are the files that Fetch downloaded and verified.
	Downloaded []string
	// Present are the files that were already present and verified.
	Present []string
}

// Fetch downloads into destDir every file of m that is missing or fails
// verification, and checks each download's size and SHA-256 before it
// becomes visible under its final name. A file that is present but fails
// verification is deleted first, so that a failed download leaves no
// corrupt file behind.
//
// baseURL, when not empty, replaces m.BaseURL in every file URL, for
// mirrors and tests. client nil means http.DefaultClient. Fetch continues
// after a failed file and returns the errors of all failed files joined;
// a size or checksum failure is a *MismatchError.
func Fetch(
	ctx context.Context, m Manifest, baseURL, destDir string, client *http.Client,
) (Result, error) {
	if err := m.validate(); err != nil {
		return Result{}, err
	}
	if client == nil {
		client = http.DefaultClient
	}

	var result Result
	var errs []error
	for _, f := range m.Files {
		if err := ctx.Err(); err != nil {
			errs = append(errs, fmt.Errorf("fetch: %s: %w", f.Path, err))
			break
		}
		dest := localPath(destDir, f)
		err := verifyFile(dest, f)
		if err == nil {
			slog.Debug("dataset file already present", "dataset", m.Name, "path", dest)
			result.Present = append(result.Present, f.Path)
			continue
		}
		if !errors.Is(err, fs.ErrNotExist) {
			slog.Warn("deleting dataset file that fails verification",
				"dataset", m.Name, "path", dest, "error", err)
			if err := os.Remove(dest); err != nil {
				errs = append(errs, fmt.Errorf("fetch: delete %s, which fails verification: %w",
					dest, err))
				continue
			}
		}

		source := m.url(f, baseURL)
		slog.Info("downloading dataset file", "dataset", m.Name, "url", source, "path", dest)
		if err := download(ctx, client, source, dest, f); err != nil {
			errs = append(errs, err)
			continue
		}
		result.Downloaded = append(result.Downloaded, f.Path)
	}
	if len(errs) > 0 {
		return result, fmt.Errorf("fetch: %d of %d files of %q failed:\n%w",
			len(errs), len(m.Files), m.Name, errors.Join(errs...))
	}
	return result, nil
}

// localPath returns the location of f under destDir.
func localPath(destDir string, f File) string {
	return filepath.Join(destDir, filepath.FromSlash(f.Path))
}

// download fetches source and writes it to dest if its size and SHA-256
// match f. On any failure dest is not created.
func download(ctx context.Context, client *http.Client, source, dest string, f File) error {
	request, err := http.NewRequestWithContext(ctx, http.MethodGet, source, nil)
	if err != nil {
		return fmt.Errorf("fetch: %s: invalid URL %q: %w", f.Path, source, err)
	}
	response, err := client.Do(request)
	if err != nil {
		return fmt.Errorf("fetch: %s: %w", f.Path, err)
	}
	defer response.Body.Close()
	if response.StatusCode != http.StatusOK {
		return fmt.Errorf("fetch: %s: GET %s: %s", f.Path, source, response.Status)
	}

	var mismatch *MismatchError
	err = atomicfile.Write(dest, func(w io.Writer) error {
		hash := sha256.New()
		// Read one byte past the expected size to detect a longer body
		// without reading an unbounded one.
		n, err := io.Copy(io.MultiWriter(w, hash), io.LimitReader(response.Body, f.Size+1))
		if err != nil {
			return err
		}
		mismatch = check(f, n, hex.EncodeToString(hash.Sum(nil)))
		if mismatch != nil {
			return mismatch
		}
		return nil
	})
	if mismatch != nil {
		return fmt.Errorf("fetch: %w; the download from %s was discarded", mismatch, source)
	}
	if err != nil {
		return fmt.Errorf("fetch: %s: %w", f.Path, err)
	}
	return nil
}

// check compares the size and checksum of n bytes read for f, where n is
// f.Size+1 when the source was longer than f.Size.
func check(f File, n int64, sum string) *MismatchError {
	mismatch := &MismatchError{
		Path:           f.Path,
		ExpectedSize:   f.Size,
		ActualSize:     n,
		ExpectedSHA256: f.SHA256,
	}
	if n > f.Size {
		mismatch.ActualSize = -1
		return mismatch
	}
	if n < f.Size {
		return mismatch
	}
	if sum != f.SHA256 {
		mismatch.ActualSHA256 = sum
		return mismatch
	}
	return nil
}

// Verify checks that every file of m is present in destDir with the size
// and SHA-256 that m lists. The error lists each file that is missing or
// differs, with the expected and actual values.
func Verify(destDir string, m Manifest) error {
	if err := m.validate(); err != nil {
		return err
	}
	var problems []string
	for _, f := range m.Files {
		if err := verifyFile(localPath(destDir, f), f); err != nil {
			problems = append(problems, "  "+err.Error())
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("fetch: %d of %d files of %q in %s failed verification:\n%s",
			len(problems), len(m.Files), m.Name, destDir, strings.Join(problems, "\n"))
	}
	return nil
}

// VerifyFiles checks the files of m whose manifest paths are listed in paths,
// and reports every one that is missing or differs. A path that m does not
// list is an error too.
func VerifyFiles(destDir string, m Manifest, paths []string) error {
	byPath := make(map[string]File, len(m.Files))
	for _, f := range m.Files {
		byPath[f.Path] = f
	}
	var problems []string
	for _, p := range paths {
		f, ok := byPath[p]
		if !ok {
			return fmt.Errorf("fetch: %s is not in the manifest of %q", p, m.Name)
		}
		if err := verifyFile(localPath(destDir, f), f); err != nil {
			problems = append(problems, "  "+err.Error())
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("fetch: %d of %d files of %q in %s do not match the manifest:\n%s",
			len(problems), len(paths), m.Name, destDir, strings.Join(problems, "\n"))
	}
	return nil
}

// verifyFile checks the file at path against f. A missing file returns an
// error that wraps fs.ErrNotExist, and a mismatch a *MismatchError.
func verifyFile(path string, f File) error {
	file, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return missingError{path}
	}
	if err != nil {
		return err
	}
	defer file.Close()

	hash := sha256.New()
	n, err := io.Copy(hash, io.LimitReader(file, f.Size+1))
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if mismatch := check(f, n, hex.EncodeToString(hash.Sum(nil))); mismatch != nil {
		mismatch.Path = path
		return mismatch
	}
	return nil
}

// missingError reports a file that does not exist. It wraps fs.ErrNotExist.
type missingError struct {
	path string
}

func (e missingError) Error() string { return e.path + ": missing" }

func (e missingError) Unwrap() error { return fs.ErrNotExist }
