package device

import (
	"strings"
	"testing"
)

func TestConfigDefault(t *testing.T) {
	t.Setenv("GOMLX_BACKEND", "")
	if got := Config(); got != DefaultConfig() {
		t.Errorf("Config() = %q with GOMLX_BACKEND unset, want %q", got, DefaultConfig())
	}
	if !strings.HasPrefix(DefaultConfig(), "go:ops_parallel,num_executors=") {
		t.Errorf("DefaultConfig() = %q, want the parallel executor with a core count", DefaultConfig())
	}
	t.Setenv("GOMLX_BACKEND", " go:ops_sequential ")
	if got := Config(); got != "go:ops_sequential" {
		t.Errorf("Config() = %q, want the environment's value", got)
	}
}

func TestOpenBackendNotCompiledIn(t *testing.T) {
	_, err := open("xla:cuda")
	if err == nil {
		t.Skip("this binary was built with the xla tag")
	}
	for _, want := range []string{`backend "xla"`, "not compiled in", "-tags xla"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
}

func TestOpenDefault(t *testing.T) {
	b, err := open(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	if b == nil {
		t.Fatal("open returned no backend")
	}
}
