package ghn

import (
	"fmt"

	"github.com/logah-go/logah/logah/params"
)

// ConfigMetadataKey is the safetensors metadata entry holding a checkpoint's [Config] as JSON.
const ConfigMetadataKey = "logah_ghn_config"

// readWeights reads the tensors of cfg's parameter table from a safetensors file holding a
// state_dict of the authors' naming (e.g. the reference fixtures, or a converted checkpoint):
// aliases and an unused decoder.l1 are tolerated and skipped, anything else unexpected or
// missing is an error. The set is returned in table order.
func readWeights(cfg Config, path string) (*params.Set, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	f, err := params.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	shapes := map[string][]int{}
	var order []string
	for _, ti := range f.Infos() {
		shapes[ti.Name] = ti.Shape
		order = append(order, ti.Name)
	}
	if err := checkShapes(cfg, shapes, order); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var names []string
	for _, p := range cfg.Params() {
		names = append(names, p.Name)
	}
	set, err := f.ReadSet(names...)
	if err != nil {
		return nil, err
	}
	return set, nil
}

// Save writes the weights as a safetensors state_dict with the authors' names (for LoGAH also
// the decoder.seq.1.* aliases real checkpoints contain, so PyTorch's strict load_state_dict
// accepts it) and the configuration as JSON metadata.
func (m *GHN) Save(path string) error {
	cfgJSON, err := m.cfg.MarshalJSON()
	if err != nil {
		return err
	}
	out := params.NewSet()
	for _, p := range m.cfg.Params() {
		t, err := m.weights.Get(p.Name)
		if err != nil {
			return err
		}
		if err := out.Add(t); err != nil {
			return err
		}
	}
	if m.cfg.Decoder == DecoderLoGAH {
		for _, alias := range []string{"decoder.seq.1.weight", "decoder.seq.1.bias"} {
			t, err := m.weights.Get(Aliases[alias])
			if err != nil {
				return err
			}
			if err := out.Add(t.Clone(alias)); err != nil {
				return err
			}
		}
	}
	return params.Save(path, out, map[string]string{"format": "pt", ConfigMetadataKey: string(cfgJSON)})
}
