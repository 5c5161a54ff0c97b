package policy

import (
	"testing"
	"time"

	"github.com/dprkit/dprkit/dprlib/device"
)

// Run the training and decoding graphs many times under a deadline, so that
// a deadlock in the configured backend fails the test instead of stalling
// the run.
func TestDefaultBackendDoesNotHang(t *testing.T) {
	t.Logf("backend %s", device.Config())
	done := make(chan error, 1)
	go func() {
		backend := device.MustBackend()
		m := testModel(t, 9)
		tr, err := NewTrainer(backend, m, DefaultAdam())
		if err != nil {
			done <- err
			return
		}
		sampler, err := NewSampler(backend, m.Config)
		if err != nil {
			done <- err
			return
		}
		for i := range 200 {
			b, w := copyTask(8, uint64(i))
			if _, err := tr.Step(b, w); err != nil {
				done <- err
				return
			}
			opts := SampleOptions{MaxNewTokens: 6, EOS: 3}
			if _, _, err := sampler.Generate(m, [][]int32{{1, 4, 2}, {1, 5, 6, 2}}, opts, nil); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(2 * time.Minute):
		t.Fatal("200 training and decoding rounds did not finish within 2 minutes: the backend hangs")
	}
}
