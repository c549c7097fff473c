package show

import "testing"

// record installs a Recorder for the duration of the test.
func record(t *testing.T) *Recorder {
	t.Helper()
	r := &Recorder{}
	prev := SetDisplayer(r)
	t.Cleanup(func() { SetDisplayer(prev) })
	return r
}
