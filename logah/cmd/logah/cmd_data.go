package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/logah-go/logah/datasets"
)

func init() {
	register("data", "datasets: 'data get NAME' downloads (with checksums) cifar10, cifar100, fashion-mnist or mnist; 'data where NAME' shows where it is looked for", cmdData)
}

func cmdData(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("data", flag.ContinueOnError)
	root := fs.String("root", "", "directory to download into (default: $LOGAH_DATA or ~/.cache/logah/datasets)")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 || (pos[0] != "get" && pos[0] != "where") {
		return usageErrorf("usage: logah data get|where NAME (NAME: %s)", strings.Join(datasets.DownloadNames, ", "))
	}
	name := pos[1]
	if pos[0] == "where" {
		for _, d := range datasets.SearchDirs(name) {
			state := "missing"
			if _, err := os.Stat(d); err == nil {
				state = "present"
			}
			fmt.Fprintf(stdout, "%-8s %s\n", state, d)
		}
		return nil
	}
	dir := *root
	if dir == "" {
		dir = datasets.DefaultRoot()
	}
	if err := datasets.Download(name, dir, datasets.WithProgress(os.Stderr)); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s is in %s\n", name, dir)
	return nil
}
