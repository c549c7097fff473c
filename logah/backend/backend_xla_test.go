//go:build xla

package backend

import (
	"strings"
	"testing"
)

// TestXLAWithoutPluginSaysHowToPointAtOne runs in xla builds (./install.sh test runs it): asking
// for XLA where no plugin is installed must explain the offline setup, not try to download.
func TestXLAWithoutPluginSaysHowToPointAtOne(t *testing.T) {
	t.Setenv("PJRT_PLUGIN_LIBRARY_PATH", t.TempDir())
	_, err := New("xla:cpu")
	if err == nil || !strings.Contains(err.Error(), "no PJRT plugin was found") || strings.Contains(err.Error(), "auto-install") {
		t.Fatalf("New(xla:cpu) without a plugin: %v", err)
	}
}
