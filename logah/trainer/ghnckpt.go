package trainer

import (
	"encoding/json"
	"fmt"
	"path/filepath"

	"github.com/gomlx/compute"

	"github.com/logah-go/logah/logah/checkpoint"
	"github.com/logah-go/logah/logah/ghn"
	"github.com/logah-go/logah/logah/params"
)

// GHNFromCheckpoint rebuilds the hypernetwork of the newest intact checkpoint of a train-ghn output
// directory (runDir/ckpt): useful to use a run that was stopped before it wrote
// ghn.safetensors, or an intermediate state. Unused tensors (placeholders) are zeros.
func GHNFromCheckpoint(runDir string, backend compute.Backend) (*ghn.GHN, int, error) {
	ck, err := checkpoint.Load(filepath.Join(runDir, checkpoint.DirName))
	if err != nil {
		return nil, 0, err
	}
	if ck.Kind != "ghn" {
		return nil, 0, fmt.Errorf("%s: a %q checkpoint, not a hypernetwork's", runDir, ck.Kind)
	}
	var meta struct {
		GHN json.RawMessage `json:"ghn"`
	}
	if err := json.Unmarshal(ck.Config, &meta); err != nil || len(meta.GHN) == 0 {
		return nil, 0, fmt.Errorf("%s: checkpoint has no hypernetwork configuration", runDir)
	}
	cfg, err := ghn.ParseConfig(meta.GHN)
	if err != nil {
		return nil, 0, err
	}
	set := params.NewSet()
	for _, p := range cfg.Params() {
		t, err := ck.Tensors.Get(checkpoint.ParamPrefix + p.Name)
		if err != nil {
			if p.Used {
				return nil, 0, fmt.Errorf("%s: %w", runDir, err)
			}
			if err := set.AddFloat32(p.Name, p.Shape, make([]float32, p.Size())); err != nil {
				return nil, 0, err
			}
			continue
		}
		if err := set.AddFloat32(p.Name, p.Shape, append([]float32(nil), t.Float32s()...)); err != nil {
			return nil, 0, err
		}
	}
	g, err := ghn.New(cfg, set, backend)
	return g, ck.Step, err
}
