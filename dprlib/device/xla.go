//go:build xla

package device

// Registers the XLA backend ("xla:cuda", "xla:cpu") for builds with -tags xla.
// It needs a PJRT plugin installed on the machine.
import _ "github.com/gomlx/go-xla/compute/xla"
