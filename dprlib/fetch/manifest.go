// Package fetch downloads dataset files listed in a manifest and verifies
// their sizes and SHA-256 checksums.
//
// A manifest (see package github.com/dprkit/dprkit/data for the embedded
// ones) names each file's path under the data directory and its upstream
// URL. Fetch downloads the files that are missing or fail verification and
// writes each one atomically, so that the data directory never contains a
// partial or corrupt file written by Fetch. Verify checks files already
// present.
package fetch

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"path"
	"strings"
)

// Manifest lists the files of one dataset.
type Manifest struct {
	// Name is the dataset's name, such as "scan".
	Name        string `json:"name"`
	Description string `json:"description"`
	// Source is the web page of the upstream repository.
	Source string `json:"source"`
	// Commit is the upstream commit that the URLs and checksums pin.
	Commit string `json:"commit"`
	// BaseURL is the common prefix of every file URL, without a trailing
	// slash. Fetch replaces it when given a base URL override.
	BaseURL string `json:"base_url"`
	// License is the SPDX identifier of the dataset's license.
	License string `json:"license"`
	// LicenseFile is the path, under the data directory, of the license
	// text.
	LicenseFile string `json:"license_file"`
	Files       []File `json:"files"`
}

// File is one downloadable file of a manifest.
type File struct {
	// Path is the file's location under the data directory, a relative
	// path with forward slashes, such as "scan/LICENSE".
	Path string `json:"path"`
	// URL is the upstream address of the file, BaseURL followed by "/" and
	// the upstream path.
	URL string `json:"url"`
	// Size is the file's length in bytes.
	Size int64 `json:"size"`
	// SHA256 is the lowercase hexadecimal SHA-256 checksum of the file.
	SHA256 string `json:"sha256"`
	// License is the SPDX identifier of the file's license.
	License string `json:"license"`
}

// ParseManifest decodes a manifest and validates it. A valid manifest has
// no unknown fields and at least one file. Each file needs a clean relative
// path inside the data directory, listed once, a URL under BaseURL, a
// positive size and a SHA-256 of 64 lowercase hexadecimal digits.
func ParseManifest(data []byte) (Manifest, error) {
	decoder := json.NewDecoder(strings.NewReader(string(data)))
	decoder.DisallowUnknownFields()
	var m Manifest
	if err := decoder.Decode(&m); err != nil {
		return Manifest{}, fmt.Errorf("fetch: invalid manifest JSON: %w", err)
	}
	if err := m.validate(); err != nil {
		return Manifest{}, err
	}
	return m, nil
}

func (m Manifest) validate() error {
	if m.Name == "" {
		return fmt.Errorf(`fetch: invalid manifest: missing "name"`)
	}
	base, err := url.Parse(m.BaseURL)
	if err != nil || base.Scheme == "" || base.Host == "" || strings.HasSuffix(m.BaseURL, "/") {
		return fmt.Errorf("fetch: invalid manifest %q: base_url %q must be an absolute URL "+
			"without a trailing slash", m.Name, m.BaseURL)
	}
	if len(m.Files) == 0 {
		return fmt.Errorf("fetch: invalid manifest %q: no files", m.Name)
	}

	seen := make(map[string]bool, len(m.Files))
	for i, f := range m.Files {
		if err := f.validate(m.BaseURL); err != nil {
			return fmt.Errorf("fetch: invalid manifest %q, file %d: %w", m.Name, i, err)
		}
		if seen[f.Path] {
			return fmt.Errorf("fetch: invalid manifest %q: path %q is listed twice", m.Name, f.Path)
		}
		seen[f.Path] = true
	}
	if m.LicenseFile != "" && !seen[m.LicenseFile] {
		return fmt.Errorf("fetch: invalid manifest %q: license_file %q is not one of the files",
			m.Name, m.LicenseFile)
	}
	return nil
}

func (f File) validate(baseURL string) error {
	if f.Path == "" || path.IsAbs(f.Path) || path.Clean(f.Path) != f.Path ||
		f.Path == ".." || strings.HasPrefix(f.Path, "../") || strings.Contains(f.Path, `\`) {
		return fmt.Errorf("path %q must be a clean relative path with forward slashes "+
			"inside the data directory", f.Path)
	}
	if !strings.HasPrefix(f.URL, baseURL+"/") {
		return fmt.Errorf("url %q of %s must start with base_url %q", f.URL, f.Path, baseURL+"/")
	}
	if f.Size <= 0 {
		return fmt.Errorf("size %d of %s must be positive", f.Size, f.Path)
	}
	_, err := hex.DecodeString(f.SHA256)
	if len(f.SHA256) != 64 || strings.ToLower(f.SHA256) != f.SHA256 || err != nil {
		return fmt.Errorf("sha256 %q of %s must be 64 lowercase hexadecimal digits",
			f.SHA256, f.Path)
	}
	return nil
}

// url returns the address to download f from: f.URL, or f.URL with the
// manifest's BaseURL replaced by override when override is not empty.
func (m Manifest) url(f File, override string) string {
	if override == "" {
		return f.URL
	}
	return strings.TrimSuffix(override, "/") + strings.TrimPrefix(f.URL, m.BaseURL)
}
