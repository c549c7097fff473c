package main

import (
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/logah-go/logah/logah/experiment"
	"github.com/logah-go/logah/logah/ghn"
)

func init() {
	register("decoder-size", "parameters of LoGAH's low-rank decoder vs a GHN-3 decoder predicting full d×d chunks, per width", cmdDecoderSize)
}

// defaultDecoderWidths are the d_max values of the "1/100" comparison: GPT-2 S, M, L widths and
// LoGAH's 2K / 4K / 8K supports.
const defaultDecoderWidths = "768,1024,1280,1536,2048,4096,8192"

// decoderSizeRow is one line of the decoder-size table.
type decoderSizeRow struct {
	DMax         int
	LoGAH, GHN3  ghn.Config
	LoGAHParams  ghn.ParamCount
	GHN3Params   ghn.ParamCount
	Ratio        float64 // GHN-3 total / LoGAH total
	DecoderRatio float64 // GHN-3 decoder / LoGAH decoder
}

// decoderSizes computes, for each d_max, the parameter counts of the LoGAH configuration built
// by experiment.GHNConfig(size, …, d) (K = 16·d) and of ghn.GHN3Baseline of it (same encoder, a
// GHN-3 decoder predicting d×d chunks), with Config.NumParams.
func decoderSizes(size string, v ghn.Variant, classes int, widths []int) ([]decoderSizeRow, error) {
	rows := make([]decoderSizeRow, 0, len(widths))
	for _, d := range widths {
		lg, err := experiment.GHNConfig(size, v, classes, d, "logah")
		if err != nil {
			return nil, fmt.Errorf("d_max %d: %w", d, err)
		}
		if size != "tiny" { // a JSON config keeps its own d_max: override it for the sweep
			if lg.Decoder != "" && lg.Decoder != ghn.DecoderLoGAH {
				return nil, usageErrorf("--size %s: decoder %q, want a LoGAH configuration", size, lg.Decoder)
			}
			lg.MaxShape, lg.MaxCK = d, 16*d
			if err := lg.Validate(); err != nil {
				return nil, fmt.Errorf("d_max %d: %w", d, err)
			}
		}
		g3 := ghn.GHN3Baseline(lg, d)
		if err := g3.Validate(); err != nil {
			return nil, fmt.Errorf("d_max %d: %w", d, err)
		}
		r := decoderSizeRow{DMax: d, LoGAH: lg, GHN3: g3, LoGAHParams: lg.NumParams(), GHN3Params: g3.NumParams()}
		r.Ratio = float64(r.GHN3Params.Total()) / float64(r.LoGAHParams.Total())
		r.DecoderRatio = float64(r.GHN3Params.Decoder) / float64(r.LoGAHParams.Decoder)
		rows = append(rows, r)
	}
	return rows, nil
}

// parseWidths reads a comma-separated list of positive integers.
func parseWidths(s string) ([]int, error) {
	var out []int
	for f := range strings.SplitSeq(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		d, err := strconv.Atoi(f)
		if err != nil || d < 1 {
			return nil, usageErrorf("--widths: %q is not a positive integer", f)
		}
		out = append(out, d)
	}
	if len(out) == 0 {
		return nil, usageErrorf("--widths: no width given")
	}
	return out, nil
}

func cmdDecoderSize(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("decoder-size", flag.ContinueOnError)
	widths := fs.String("widths", defaultDecoderWidths, "comma-separated d_max values (largest predicted block)")
	size := fs.String("size", "tiny", "LoGAH hypernetwork: tiny (hid 64, 3 layers, 8 heads, r 32) or a JSON config file; K = 16·d_max")
	variant := fs.String("variant", "vit", "vit (GHN3) or gpt (GHN3_GPT): changes the encoder's vocabularies slightly")
	classes := fs.Int("classes", 10, "the hypernetwork's num_classes (GHN-3's classification predictors)")
	exact := fs.Bool("exact", false, "print exact counts instead of millions")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErrorf("unexpected arguments %v", pos)
	}
	v := ghn.Variant(*variant)
	if v != ghn.VariantViT && v != ghn.VariantGPT {
		return usageErrorf("unknown --variant %q: use vit or gpt", *variant)
	}
	ws, err := parseWidths(*widths)
	if err != nil {
		return err
	}
	rows, err := decoderSizes(*size, v, *classes, ws)
	if err != nil {
		return err
	}
	num := func(n int64) string {
		if *exact {
			return thousands(n)
		}
		return fmt.Sprintf("%.2f M", float64(n)/1e6)
	}
	c := rows[0].LoGAH.WithDefaults()
	fmt.Fprintf(stdout, "LoGAH (%s h%d L%d H%d r%d, K = 16·d_max) vs GHN-3 (the same encoder, a decoder predicting d_max×d_max chunks, s = %d)\n",
		c.Variant, c.Hid, c.Layers, c.Heads, c.Rank, c.SpatialMax)
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "d_max\tK\tencoder\tLoGAH decoder\tLoGAH total\tGHN-3 decoder\tGHN-3 total\tGHN-3/LoGAH\t")
	for _, r := range rows {
		fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%s\t%s\t%s\t%.0f×\t\n", r.DMax, r.LoGAH.MaxCK, num(r.LoGAHParams.Encoder),
			num(r.LoGAHParams.Decoder), num(r.LoGAHParams.Total()), num(r.GHN3Params.Decoder), num(r.GHN3Params.Total()), r.Ratio)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "LoGAH's decoder grows linearly in d_max (K·(r+1)), GHN-3's quadratically (d_max²·(8h+1)).")
	return nil
}
