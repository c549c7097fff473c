package backend

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// PluginName is the PJRT plugin part of an XLA backend spec: "cuda" for "xla:cuda,opt=v", an
// absolute path for "xla:/abs/plugin.so", "" for a bare "xla".
func PluginName(spec string) string {
	name, _ := strings.CutPrefix(spec, "xla")
	name = strings.TrimPrefix(name, ":")
	name, _, _ = strings.Cut(name, ",")
	return name
}

// PluginSearchDirs are the directories go-xla looks in for PJRT plugins: $PJRT_PLUGIN_LIBRARY_PATH
// when set (it replaces the defaults), else ~/.local/lib/go-xla[/nvidia], /usr/local/lib/go-xla[/nvidia]
// and $LD_LIBRARY_PATH. getenv reads the environment (os.LookupEnv, or a test's).
func PluginSearchDirs(getenv func(string) (string, bool)) []string {
	if p, ok := getenv("PJRT_PLUGIN_LIBRARY_PATH"); ok && p != "" {
		return filepath.SplitList(p)
	}
	var dirs []string
	if home, err := os.UserHomeDir(); err == nil {
		dirs = append(dirs, filepath.Join(home, ".local/lib/go-xla"), filepath.Join(home, ".local/lib/go-xla/nvidia"))
	}
	dirs = append(dirs, "/usr/local/lib/go-xla", "/usr/local/lib/go-xla/nvidia")
	if p, ok := getenv("LD_LIBRARY_PATH"); ok {
		dirs = append(dirs, filepath.SplitList(p)...)
	}
	return dirs
}

// FindPlugin looks for the PJRT plugin an XLA backend spec names, the way go-xla does (by file
// name in PluginSearchDirs, or the absolute path given), and returns its path. Its error says
// where it looked and how to point at a plugin installed offline.
func FindPlugin(spec string, getenv func(string) (string, bool)) (string, error) {
	name := PluginName(spec)
	if filepath.IsAbs(name) {
		if _, err := os.Stat(name); err != nil {
			return "", fmt.Errorf("GOMLX_BACKEND=%s: the PJRT plugin file: %w", spec, err)
		}
		return name, nil
	}
	dirs := PluginSearchDirs(getenv)
	for _, dir := range dirs {
		for _, pattern := range []string{"pjrt_c_api_%s_plugin.so", "pjrt-plugin-%s.so", "pjrt_plugin_%s.so", "pjrt_c_api_%s_plugin.dylib"} {
			if name == "" {
				if matches, _ := filepath.Glob(filepath.Join(dir, fmt.Sprintf(pattern, "*"))); len(matches) > 0 {
					return matches[0], nil
				}
				continue
			}
			if p := filepath.Join(dir, fmt.Sprintf(pattern, name)); fileExists(p) {
				return p, nil
			}
		}
	}
	shown := name
	if shown == "" {
		shown = "*"
	}
	return "", fmt.Errorf("GOMLX_BACKEND=%s: no PJRT plugin was found (looked for pjrt_c_api_%s_plugin.so in %s). "+
		"LoGAH Lab never downloads plugins at run time: install one offline and point at it with "+
		"GOMLX_BACKEND=xla:/abs/path/pjrt_c_api_%s_plugin.so or PJRT_PLUGIN_LIBRARY_PATH=DIR "+
		"(kernel/README.md, \"XLA and CUDA\"), or unset GOMLX_BACKEND to use the pure-Go engine",
		spec, shown, strings.Join(dirs, ", "), shown)
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
