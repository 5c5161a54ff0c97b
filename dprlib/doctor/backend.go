package doctor

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/dprkit/dprkit/dprlib/device"
	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/core/graph"
)

// checkBackend starts a new backend with the kit's configuration and runs a
// 2×2 matrix product on it within timeout.
func checkBackend(ctx context.Context, timeout time.Duration) Check {
	config := device.Config()
	source := "kit default, GOMLX_BACKEND is unset"
	envSet := strings.TrimSpace(os.Getenv(compute.ConfigEnvVar)) != ""
	if envSet {
		source = "from GOMLX_BACKEND"
	}
	c := Check{Name: "backend"}
	fallback := "unset GOMLX_BACKEND (the default is " + device.DefaultConfig() + ")"
	if !envSet {
		fallback = "export GOMLX_BACKEND=go:ops_sequential"
	}

	name, _, _ := strings.Cut(config, ":")
	available := compute.List()
	if !slices.Contains(available, name) {
		c.Status = Fail
		c.Detail = fmt.Sprintf("%s (%s): backend %q is not compiled into this binary, which has %s",
			config, source, name, strings.Join(available, ", "))
		c.Fix = fallback
		if name == "xla" {
			c.Fix = "go run -tags xla ./dprlib/cmd/dpr doctor (XLA also needs a PJRT plugin " +
				"on the machine), or " + fallback
		}
		return c
	}

	start := time.Now()
	done := make(chan error, 1)
	go func() { done <- runMatmul(config) }()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	var err error
	select {
	case err = <-done:
	case <-timer.C:
		err = fmt.Errorf("it did not start and run a 2×2 matmul within %v", timeout)
	case <-ctx.Done():
		err = fmt.Errorf("check interrupted: %w", ctx.Err())
	}
	if err != nil {
		c.Status = Fail
		c.Detail = fmt.Sprintf("%s (%s): %v", config, source, err)
		c.Fix = fallback
		return c
	}
	c.Status = OK
	c.Detail = fmt.Sprintf("%s (%s): started and ran a 2×2 matmul in %v", config, source,
		time.Since(start).Round(time.Microsecond))
	return c
}

// runMatmul creates the backend of config, squares [[1 2] [3 4]] on it and
// compares the result with [[7 10] [15 22]]. A panic of the backend becomes
// an error.
func runMatmul(config string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("it panicked: %v", r)
		}
	}()
	backend, err := compute.NewWithConfig(config)
	if err != nil {
		return fmt.Errorf("it failed to start: %w", err)
	}
	defer backend.Finalize()

	square := func(x *graph.Node) *graph.Node { return graph.MatMul(x, x) }
	out, err := graph.ExecOnce(backend, square, [][]float32{{1, 2}, {3, 4}})
	if err != nil {
		return fmt.Errorf("the 2×2 matmul failed: %w", err)
	}
	got, ok := out.Value().([][]float32)
	want := [][]float32{{7, 10}, {15, 22}}
	if !ok || len(got) != 2 || !slices.Equal(got[0], want[0]) || !slices.Equal(got[1], want[1]) {
		return fmt.Errorf("the 2×2 matmul returned %v, want %v", out.Value(), want)
	}
	return nil
}
