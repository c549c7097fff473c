package ghn

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/gomlx/compute"
)

// Open loads a hypernetwork from any of the forms LoGAH Lab reads:
//
//   - a directory written by `logah train-ghn` or `logah convert` (its ghn.safetensors);
//   - a .safetensors file written by [GHN.Save] (the configuration is in its metadata);
//   - a .safetensors state_dict without metadata, with the configuration as JSON in a file of
//     the same name ending in .json (e.g. ghn.safetensors + ghn.json);
//   - a .pt / .pth checkpoint of the authors' training scripts ([LoadTorch]).
func Open(path string, backend compute.Backend) (*GHN, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("hypernetwork: %w", err)
	}
	if st.IsDir() {
		file := filepath.Join(path, "ghn.safetensors")
		if _, err := os.Stat(file); err != nil {
			return nil, fmt.Errorf("hypernetwork: %s has no ghn.safetensors (is it a train-ghn or convert output directory?)", path)
		}
		path = file
	}
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".pt", ".pth":
		return LoadTorch(path, backend)
	case ".safetensors":
		m, err := Load(path, backend)
		if err == nil {
			return m, nil
		}
		sidecar := strings.TrimSuffix(path, filepath.Ext(path)) + ".json"
		data, serr := os.ReadFile(sidecar)
		if serr != nil {
			return nil, fmt.Errorf("%w; and no configuration file %s beside it", err, sidecar)
		}
		cfg, err := ParseConfig(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", sidecar, err)
		}
		return LoadWithConfig(cfg, path, backend)
	default:
		return nil, fmt.Errorf("hypernetwork %s: unknown file type %q: use a directory, .safetensors or .pt", path, ext)
	}
}
