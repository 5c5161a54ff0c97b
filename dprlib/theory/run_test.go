package theory

import (
	"context"
	"testing"
)

func TestRunPasses(t *testing.T) {
	rep, err := Run(context.Background(), DefaultOptions(t.TempDir(), ""))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("theory run took %.1f s", rep.Seconds)
	for _, c := range rep.Checks {
		t.Log(c.String())
	}
	for _, c := range rep.Failed() {
		t.Errorf("check failed: %s (%s)", c, c.Detail)
	}
	if len(rep.Checks) < 10 {
		t.Errorf("%d checks, want at least 10", len(rep.Checks))
	}
}
