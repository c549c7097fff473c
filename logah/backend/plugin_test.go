package backend

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFindPluginExplainsOfflineSetup checks the plugin search and that a missing plugin is
// reported with where it looked and how to point at one (never a download attempt).
func TestFindPluginExplainsOfflineSetup(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"PJRT_PLUGIN_LIBRARY_PATH": dir}
	getenv := func(k string) (string, bool) { v, ok := env[k]; return v, ok }

	_, err := FindPlugin("xla:cpu", getenv)
	for _, want := range []string{"no PJRT plugin", "pjrt_c_api_cpu_plugin.so", dir, "never downloads", "PJRT_PLUGIN_LIBRARY_PATH", "unset GOMLX_BACKEND"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("missing plugin: error %v lacks %q", err, want)
		}
	}
	plugin := filepath.Join(dir, "pjrt_c_api_cpu_plugin.so")
	if err := os.WriteFile(plugin, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if p, err := FindPlugin("xla:cpu,opt=1", getenv); err != nil || p != plugin {
		t.Errorf("FindPlugin = %q, %v; want %q", p, err, plugin)
	}
	if p, err := FindPlugin("xla", getenv); err != nil || p != plugin {
		t.Errorf("bare xla: FindPlugin = %q, %v; want %q", p, err, plugin)
	}
	if _, err := FindPlugin("xla:"+filepath.Join(dir, "missing.so"), getenv); err == nil || !strings.Contains(err.Error(), "missing.so") {
		t.Errorf("absolute path to a missing file: %v", err)
	}
}
