// Package jsonfile reads and writes indented JSON files, writing atomically.
package jsonfile

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/dprkit/dprkit/dprlib/internal/atomicfile"
)

// Write encodes v as indented JSON with a final newline and replaces path
// atomically.
func Write(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", path, err)
	}
	return atomicfile.WriteFile(path, append(data, '\n'))
}

// Read decodes the JSON file at path into v. Unknown fields are rejected so a
// file from another format version fails loudly.
func Read(path string, v any) error {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("%s not found: %w", path, os.ErrNotExist)
		}
		return err
	}
	defer f.Close()
	dec := json.NewDecoder(f)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	return nil
}

// Hash returns the hex SHA-256 of v's JSON encoding. Struct fields encode in
// declaration order and map keys sorted, so equal values hash equally.
func Hash(v any) (string, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("hash config: %w", err)
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:]), nil
}
