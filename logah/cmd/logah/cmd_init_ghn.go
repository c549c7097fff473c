package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/logah-go/logah/logah/backend"
	"github.com/logah-go/logah/logah/experiment"
	"github.com/logah-go/logah/logah/ghn"
)

func init() {
	register("init-ghn", "write a randomly initialised hypernetwork (baselines, timing, a starting point)", cmdInitGHN)
}

func cmdInitGHN(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("init-ghn", flag.ContinueOnError)
	variant := fs.String("variant", "vit", "vit (GHN3) or gpt (GHN3_GPT)")
	size := fs.String("size", "tiny", "tiny (hid 64, 3 layers, 8 heads, r 32) or a JSON config file")
	dMax := fs.Int("d-max", 2048, "largest predicted block; K = 16·d-max")
	classes := fs.Int("classes", 10, "the hypernetwork's num_classes")
	decoder := fs.String("decoder", "logah", "logah or ghn3")
	seed := fs.Uint64("seed", 1, "initialisation seed")
	out := fs.String("out", "", "output directory")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 || *out == "" {
		return usageErrorf("usage: logah init-ghn [flags] --out DIR")
	}
	v := ghn.Variant(*variant)
	if v != ghn.VariantViT && v != ghn.VariantGPT {
		return usageErrorf("unknown --variant %q: use vit or gpt", *variant)
	}
	cfg, err := experiment.GHNConfig(*size, v, *classes, *dMax, ghn.DecoderKind(*decoder))
	if err != nil {
		return err
	}
	set, err := ghn.Init(cfg, *seed)
	if err != nil {
		return err
	}
	model, err := ghn.New(cfg, set, backend.MustDefault())
	if err != nil {
		return err
	}
	defer model.Close()
	path, err := saveGHNDir(model, *out)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %s parameters → %s\n", cfg, thousands(cfg.NumParams().Total()), path)
	return nil
}
