package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"

	"github.com/logah-go/logah/internal/atomicfile"
	"github.com/logah-go/logah/logah/netgraph"
)

func init() {
	register("graph", "build the computational graph of a model and write it as svg, dot or json", cmdGraph)
}

func cmdGraph(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("graph", flag.ContinueOnError)
	format := fs.String("format", "svg", "output format: svg, dot or json")
	out := fs.String("out", "", "output file (default: standard output)")
	cutoff := fs.Int("cutoff", netgraph.DefaultCutoff, "longest path kept as a virtual edge")
	connect := fs.Bool("connect-lm-head", false, "wire ln_f → lm_head (deviation from the reference's orphan lm_head)")
	blocks := fs.Int("show-blocks", 2, "svg: blocks drawn at each end before collapsing the middle (-1: all)")
	a, err := parseModelArgs(fs, args)
	if err != nil {
		return err
	}
	if *cutoff < 1 {
		return usageErrorf("--cutoff must be at least 1, got %d", *cutoff)
	}
	g, err := netgraph.Build(a, netgraph.Options{VirtualEdgeCutoff: *cutoff, ConnectLMHead: *connect})
	if err != nil {
		return err
	}
	var data []byte
	switch *format {
	case "svg":
		data = g.SVGWith(netgraph.SVGOptions{ShowBlocks: *blocks})
	case "dot":
		data = []byte(g.DOT())
	case "json":
		if data, err = json.Marshal(g); err != nil {
			return err
		}
	default:
		return usageErrorf("unknown --format %q: use svg, dot or json", *format)
	}
	if *out == "" {
		_, err := stdout.Write(data)
		return err
	}
	if err := atomicfile.WriteFile(*out, data); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %d nodes, %d edges, %d virtual edges → %s\n", a, g.N(), len(g.Edges), g.NumVirtualEdges(), *out)
	return nil
}
