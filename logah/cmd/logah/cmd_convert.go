package main

import (
	"flag"
	"fmt"
	"io"
)

func init() {
	register("convert", "convert a hypernetwork checkpoint (e.g. the authors' .pt) into LoGAH Lab's format", cmdConvert)
}

func cmdConvert(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("convert", flag.ContinueOnError)
	out := fs.String("out", "", "output directory (ghn.safetensors with the configuration in its metadata)")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || *out == "" {
		return usageErrorf("usage: logah convert CHECKPOINT --out DIR")
	}
	model, err := openGHN(pos[0])
	if err != nil {
		return err
	}
	defer model.Close()
	path, err := saveGHNDir(model, *out)
	if err != nil {
		return err
	}
	n := model.Config().NumParams()
	fmt.Fprintf(stdout, "%s: %s parameters (encoder %s, decoder %s) → %s\n", model.Config(), thousands(n.Total()), thousands(n.Encoder), thousands(n.Decoder), path)
	return nil
}
