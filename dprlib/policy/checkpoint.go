package policy

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/dprkit/dprkit/dprlib/internal/atomicfile"
	"github.com/gomlx/gomlx/core/tensors"
)

// checkpointMagic opens every checkpoint file; the digit is the format version.
const checkpointMagic = "DPRCKPT2\n"

// maxHeaderBytes bounds the JSON header so a corrupt length cannot exhaust memory.
const maxHeaderBytes = 16 << 20

// Metadata describes how a checkpoint was made. It is stored as JSON in the
// checkpoint header.
type Metadata struct {
	// Kind is "init", "sft", "dpr", "spin" or "gsil".
	Kind string `json:"kind"`
	// Fraction is the share of the SFT training examples seen, in [0, 1].
	Fraction float64 `json:"fraction"`
	// Step is the number of optimiser updates applied.
	Step int `json:"step"`
	// ExamplesSeen counts training examples consumed, repeats included.
	ExamplesSeen int `json:"examples_seen"`
	// Seed is the run's random seed.
	Seed uint64 `json:"seed"`
	// Task names what the model was trained on: a SCAN split or an
	// inflection task. Checkpoints from before it was recorded leave it
	// empty.
	Task string `json:"task,omitempty"`
	// Tokenizer is the tokenizer's JSON, so a checkpoint decodes on its own.
	Tokenizer json.RawMessage `json:"tokenizer,omitempty"`
	// Train is the training configuration's JSON.
	Train json.RawMessage `json:"train,omitempty"`
}

type checkpointHeader struct {
	Config   Config       `json:"config"`
	Params   []ParamShape `json:"params"`
	Metadata Metadata     `json:"metadata"`
	// PayloadSHA256 is the hex SHA-256 of the weight bytes that follow.
	PayloadSHA256 string `json:"payload_sha256"`
}

// SaveCheckpoint writes m and meta to path atomically: a crash or error
// leaves either the previous file or none, never a partial checkpoint.
//
// Layout: the line "DPRCKPT2", a little-endian uint32 header length, the JSON
// header (config, weight names and shapes, metadata, payload SHA-256), then
// every weight as little-endian float32 in ParamShapes order. A trailer, the
// SHA-256 of the header and weights together, ends the file, so that a
// changed byte anywhere is reported as corruption.
func SaveCheckpoint(path string, m *Model, meta Metadata) error {
	shapes := m.Config.ParamShapes()
	if len(shapes) != len(m.Params) {
		return fmt.Errorf("save %s: model has %d weights, its config lists %d", path, len(m.Params), len(shapes))
	}
	var payload bytes.Buffer
	for i, p := range m.Params {
		values, err := tensors.CopyFlatData[float32](p)
		if err != nil {
			return fmt.Errorf("save %s: read weight %s: %w", path, shapes[i].Name, err)
		}
		if len(values) != shapes[i].Size() {
			return fmt.Errorf("save %s: weight %s has %d values, want %d",
				path, shapes[i].Name, len(values), shapes[i].Size())
		}
		for _, v := range values {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return fmt.Errorf("save %s: weight %s holds %v; refusing to save a diverged model",
					path, shapes[i].Name, v)
			}
		}
		if err := binary.Write(&payload, binary.LittleEndian, values); err != nil {
			return err
		}
	}
	sum := sha256.Sum256(payload.Bytes())
	header, err := json.Marshal(checkpointHeader{
		Config: m.Config, Params: shapes, Metadata: meta, PayloadSHA256: hex.EncodeToString(sum[:]),
	})
	if err != nil {
		return fmt.Errorf("save %s: encode header: %w", path, err)
	}
	trailer := sha256.New()
	trailer.Write(header)
	trailer.Write(payload.Bytes())
	return atomicfile.Write(path, func(w io.Writer) error {
		if _, err := io.WriteString(w, checkpointMagic); err != nil {
			return err
		}
		if err := binary.Write(w, binary.LittleEndian, uint32(len(header))); err != nil {
			return err
		}
		for _, part := range [][]byte{header, payload.Bytes(), trailer.Sum(nil)} {
			if _, err := w.Write(part); err != nil {
				return err
			}
		}
		return nil
	})
}

// LoadCheckpoint reads a file written by SaveCheckpoint, checking its format,
// shapes and payload checksum.
func LoadCheckpoint(path string) (*Model, Metadata, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, Metadata{}, fmt.Errorf("checkpoint %s not found: train it first (dpr sft) "+
				"or pass the path of an existing .ckpt file", path)
		}
		return nil, Metadata{}, fmt.Errorf("open checkpoint: %w", err)
	}
	defer f.Close()
	if info, err := f.Stat(); err == nil && info.IsDir() {
		return nil, Metadata{}, fmt.Errorf("checkpoint %s is a directory: pass a .ckpt file inside it, "+
			"such as %s", path, filepath.Join(path, "sft-1.ckpt"))
	}
	r := bufio.NewReader(f)

	magic := make([]byte, len(checkpointMagic))
	if _, err := io.ReadFull(r, magic); err != nil || string(magic) != checkpointMagic {
		if string(magic) == "DPRCKPT1\n" {
			return nil, Metadata{}, fmt.Errorf("checkpoint %s uses format 1, which this version no "+
				"longer reads: train it again", path)
		}
		return nil, Metadata{}, fmt.Errorf("%s is not a dpr checkpoint (it does not start with %q)",
			path, checkpointMagic[:len(checkpointMagic)-1])
	}
	var headerLen uint32
	if err := binary.Read(r, binary.LittleEndian, &headerLen); err != nil || headerLen > maxHeaderBytes {
		return nil, Metadata{}, fmt.Errorf("checkpoint %s has a corrupt header length", path)
	}
	headerBytes := make([]byte, headerLen)
	if _, err := io.ReadFull(r, headerBytes); err != nil {
		return nil, Metadata{}, fmt.Errorf("checkpoint %s is truncated in its header: %w", path, err)
	}
	var h checkpointHeader
	if err := json.Unmarshal(headerBytes, &h); err != nil {
		return nil, Metadata{}, fmt.Errorf("checkpoint %s is corrupt: its header is not valid JSON (%v)",
			path, err)
	}
	if err := h.Config.Validate(); err != nil {
		return nil, Metadata{}, fmt.Errorf("checkpoint %s is corrupt: its header describes an invalid "+
			"model (%v)", path, strings.ReplaceAll(err.Error(), "\n", "; "))
	}
	shapes := h.Config.ParamShapes()
	if !slices.EqualFunc(shapes, h.Params, func(a, b ParamShape) bool {
		return a.Name == b.Name && slices.Equal(a.Dims, b.Dims)
	}) {
		return nil, Metadata{}, fmt.Errorf("checkpoint %s lists weights that do not match its config", path)
	}

	hash := sha256.New()
	whole := sha256.New()
	whole.Write(headerBytes)
	body := io.TeeReader(r, io.MultiWriter(hash, whole))
	m := &Model{Config: h.Config}
	for _, ps := range shapes {
		values := make([]float32, ps.Size())
		if err := binary.Read(body, binary.LittleEndian, values); err != nil {
			return nil, Metadata{}, fmt.Errorf("checkpoint %s is truncated in weight %s: %w", path, ps.Name, err)
		}
		m.Params = append(m.Params, tensors.FromFlatDataAndDimensions(values, ps.Dims...))
	}
	trailer := make([]byte, sha256.Size)
	if _, err := io.ReadFull(r, trailer); err != nil {
		return nil, Metadata{}, fmt.Errorf("checkpoint %s is truncated in its trailer: %w", path, err)
	}
	if n, _ := io.Copy(io.Discard, r); n != 0 {
		return nil, Metadata{}, fmt.Errorf("checkpoint %s has %d unexpected bytes after the trailer", path, n)
	}
	if got := hex.EncodeToString(hash.Sum(nil)); got != h.PayloadSHA256 {
		return nil, Metadata{}, fmt.Errorf("checkpoint %s is corrupt: weights SHA-256 %s, header records %s",
			path, got, h.PayloadSHA256)
	}
	if !bytes.Equal(whole.Sum(nil), trailer) {
		return nil, Metadata{}, fmt.Errorf("checkpoint %s is corrupt: the SHA-256 of its header and "+
			"weights does not match the trailer", path)
	}
	return m, h.Metadata, nil
}
