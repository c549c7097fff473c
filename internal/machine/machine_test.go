package machine

import (
	"runtime"
	"strings"
	"testing"
)

func TestSummaryNamesTheMachineAndTheBuild(t *testing.T) {
	s := Summary("Go Backend")
	for _, want := range []string{" cores, " + runtime.GOOS + "/" + runtime.GOARCH, "Go Backend", "GOEXPERIMENT=simd " + OnOff(SIMD)} {
		if !strings.Contains(s, want) {
			t.Errorf("Summary %q lacks %q", s, want)
		}
	}
	if CPUModel() == "" {
		t.Error("empty CPU model")
	}
}
