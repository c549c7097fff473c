package ghn

import (
	"fmt"
	"math"

	"github.com/logah-go/logah/logah/params"
	"github.com/logah-go/logah/logah/torchpt"
)

// readTorch reads the configuration and the weights (in table order, aliases dropped) of a
// hypernetwork saved by the authors' training scripts with torch.save (a zip-format .pt
// holding 'state_dict' and 'config', docs/method.md §7), without Python: the pickle is read by
// package torchpt, which refuses any class a checkpoint does not need. The checkpoint's
// config decides hid, layers, heads, r, K, d_max, the final LayerNorm and num_classes; the
// state_dict decides the variant (15 op rows: GHN3 for ViTs; 18: GHN3_GPT) and whether the
// unused decoder.l1 is kept. A mismatch between the config and the tensors is an error naming
// the tensor.
func readTorch(path string) (Config, *params.Set, error) {
	ck, err := torchpt.Load(path)
	if err != nil {
		return Config{}, nil, err
	}
	sd, err := ck.StateDict("state_dict")
	if err != nil {
		// A bare state_dict file (torch.save(ghn.state_dict(), …)) has no config.
		return Config{}, nil, fmt.Errorf("%s: %w (a checkpoint of the authors' training script holds 'state_dict' and 'config')", path, err)
	}
	raw, err := ck.Config()
	if err != nil {
		return Config{}, nil, fmt.Errorf("%s: %w", path, err)
	}
	tensors := map[string]*torchpt.Tensor{}
	var order []string
	for _, t := range sd {
		tensors[t.Name] = t.Tensor
		order = append(order, t.Name)
	}
	cfg, err := configFromTorch(raw, tensors)
	if err != nil {
		return Config{}, nil, fmt.Errorf("%s: %w", path, err)
	}
	shapes := map[string][]int{}
	for name, t := range tensors {
		shapes[name] = t.Shape
	}
	if err := checkShapes(cfg, shapes, order); err != nil {
		return Config{}, nil, fmt.Errorf("%s: the config and the tensors disagree: %w", path, err)
	}
	set := params.NewSet()
	for _, p := range cfg.Params() {
		data, err := tensors[p.Name].Float32()
		if err != nil {
			return Config{}, nil, fmt.Errorf("%s: %s: %w", path, p.Name, err)
		}
		if err := set.AddFloat32(p.Name, p.Shape, data); err != nil {
			return Config{}, nil, err
		}
	}
	return cfg, set, nil
}

// configFromTorch maps the authors' config dict (train_ghn_ddp.py / trainer.py) to a Config.
func configFromTorch(raw map[string]any, tensors map[string]*torchpt.Tensor) (Config, error) {
	num := func(key string) (int, error) {
		v, ok := raw[key]
		if !ok {
			return 0, fmt.Errorf("config has no %q", key)
		}
		switch x := v.(type) {
		case int64:
			return int(x), nil
		case int:
			return x, nil
		case float64:
			if x == math.Trunc(x) {
				return int(x), nil
			}
		case bool:
			if x {
				return 1, nil
			}
			return 0, nil
		}
		return 0, fmt.Errorf("config %q = %v (%T) is not an integer", key, v, v)
	}
	flag := func(key string, def bool) bool {
		if v, ok := raw[key].(bool); ok {
			return v
		}
		return def
	}
	cfg := Config{FinalLN: flag("layernorm", true), Decoder: DecoderLoGAH}
	var err error
	if cfg.Hid, err = num("hid"); err != nil {
		return cfg, err
	}
	if cfg.Layers, err = num("layers"); err != nil {
		return cfg, err
	}
	if cfg.Heads, err = num("heads"); err != nil {
		return cfg, err
	}
	if !flag("lora", true) {
		return cfg, fmt.Errorf("config lora=False: only LoGAH (low-rank) checkpoints can be read")
	}
	if flag("is_ghn2", false) {
		return cfg, fmt.Errorf("config is_ghn2=True: GHN-2 checkpoints are not supported")
	}
	if cfg.Rank, err = num("lora_r"); err != nil {
		return cfg, err
	}
	if cfg.MaxCK, err = num("max_ck_lora"); err != nil {
		return cfg, err
	}
	shape, ok := raw["max_shape"].([]any)
	if !ok || len(shape) != 4 {
		return cfg, fmt.Errorf("config max_shape = %v: want a 4-tuple (d, d, s, s)", raw["max_shape"])
	}
	dims := make([]int, 4)
	for i, v := range shape {
		x, ok := v.(int64)
		if !ok {
			return cfg, fmt.Errorf("config max_shape[%d] = %v is not an integer", i, v)
		}
		dims[i] = int(x)
	}
	if dims[0] != dims[1] || dims[2] != dims[3] {
		return cfg, fmt.Errorf("config max_shape %v: LoGAH uses (d, d, s, s)", dims)
	}
	cfg.MaxShape, cfg.SpatialMax = dims[0], dims[2]
	if !flag("weight_norm", true) {
		cfg.Norm = NormNone
	}
	cfg.NumClasses = 10 // GHN3_GPT's default; a ViT GHN's num_classes comes from the config
	if n, err := num("num_classes"); err == nil {
		cfg.NumClasses = n
	}
	embed, ok := tensors["embed.weight"]
	if !ok || len(embed.Shape) != 2 {
		return cfg, fmt.Errorf("state_dict has no 2-D embed.weight")
	}
	vit, gpt := Config{Variant: VariantViT}.NumOps(), Config{Variant: VariantGPT}.NumOps()
	switch embed.Shape[0] {
	case vit:
		cfg.Variant = VariantViT
	case gpt:
		cfg.Variant = VariantGPT
	default:
		return cfg, fmt.Errorf("embed.weight has %d rows: expected %d (GHN3, ViT) or %d (GHN3_GPT)", embed.Shape[0], vit, gpt)
	}
	_, cfg.KeepL1 = tensors["decoder.l1.weight"]
	return cfg, cfg.Validate()
}
