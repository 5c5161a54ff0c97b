// Package device selects the GoMLX compute backend the kit runs on.
//
// The default is GoMLX's pure-Go backend with the parallel op executor and
// one executor per CPU core ("go:ops_parallel,num_executors=N"), which needs
// no native library and never downloads anything. On 2 cores (gomlx
// v0.28.16, Go 1.27.3, GOEXPERIMENT=simd) it trained 30–40% faster than the
// backend's default of 8 executors, which oversubscribe the cores, and
// faster than "go:ops_sequential"; see the performance page in dprlib/bench.
//
// The environment variable GOMLX_BACKEND selects another backend compiled
// into the binary. XLA ("xla:cuda", "xla:cpu") is compiled in only with the
// build tag "xla", because its start-up may try to download a PJRT plugin.
package device

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/gomlx/compute"
	_ "github.com/gomlx/compute/gobackend" // Registers the "go" backend.
)

// DefaultConfig returns the backend used when GOMLX_BACKEND is unset:
// "go:ops_parallel,num_executors=N" with N the number of CPU cores.
func DefaultConfig() string {
	return fmt.Sprintf("go:ops_parallel,num_executors=%d", runtime.NumCPU())
}

var (
	once    sync.Once
	backend compute.Backend
	initErr error
)

// Config returns the backend configuration string in effect: GOMLX_BACKEND
// when set, DefaultConfig otherwise.
func Config() string {
	if c := strings.TrimSpace(os.Getenv(compute.ConfigEnvVar)); c != "" {
		return c
	}
	return DefaultConfig()
}

// Backend returns the process-wide backend, creating it on first use.
func Backend() (compute.Backend, error) {
	once.Do(func() {
		backend, initErr = open(Config())
	})
	return backend, initErr
}

// MustBackend is Backend for programs and tests that cannot continue without
// one; it panics with the error.
func MustBackend() compute.Backend {
	b, err := Backend()
	if err != nil {
		panic(err)
	}
	return b
}

func open(config string) (b compute.Backend, err error) {
	name, _, _ := strings.Cut(config, ":")
	available := compute.List()
	found := false
	for _, a := range available {
		if a == name {
			found = true
		}
	}
	if !found {
		return nil, fmt.Errorf("backend %q (from GOMLX_BACKEND=%q) is not compiled in; available: %s. "+
			"Unset GOMLX_BACKEND for the default %q, or build with -tags xla for XLA",
			name, config, strings.Join(available, ", "), DefaultConfig())
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("start backend %q: %v", config, r)
		}
	}()
	b, err = compute.NewWithConfig(config)
	if err != nil {
		return nil, fmt.Errorf("start backend %q: %w", config, err)
	}
	return b, nil
}

// TotalMemory returns the machine's memory in bytes from /proc/meminfo, or 0
// where that file does not exist or cannot be read.
func TotalMemory() float64 {
	data, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		fields := strings.Fields(line)
		if len(fields) >= 2 && fields[0] == "MemTotal:" {
			kib, err := strconv.ParseFloat(fields[1], 64)
			if err != nil {
				return 0
			}
			return kib * 1024
		}
	}
	return 0
}
