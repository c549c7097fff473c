package main

import (
	"flag"
	"strconv"
	"strings"

	"github.com/logah-go/logah/logah/experiment"
)

// dataFlags are the dataset flags shared by the training commands.
type dataFlags struct {
	data, dir, text, tokenizer *string
	textBytes                  *int64
	classes                    *string
	validation                 *int
}

func addDataFlags(fs *flag.FlagSet) *dataFlags {
	d := experiment.DefaultData()
	return &dataFlags{
		data:      fs.String("data", d.Name, "dataset: fashion-mnist, mnist, cifar10, cifar100 or text"),
		dir:       fs.String("data-dir", "", "dataset directory (default: $LOGAH_DATA, then system locations)"),
		text:      fs.String("text", "", "text: a WikiText directory (default: the Go standard library source tree)"),
		tokenizer: fs.String("tokenizer", d.Tokenizer, "text: bytes (vocabulary 256) or gpt2 (BPE, 50257)"),
		textBytes: fs.Int64("text-bytes", d.TextBytes, "text: cap on the corpus size in bytes (0: all)"),
		classes:   fs.String("classes", "", "images: keep only these classes, relabelled in order (e.g. 0,1,2,3,4)"),
		validation: fs.Int("validation", 0, "hold out the last N training images (text: tokens) and evaluate on them instead of the test split "+
			"(for choosing hyperparameters; 0: evaluate on the test split)"),
	}
}

// spec is the dataset the flags name.
func (d *dataFlags) spec() (experiment.Data, error) {
	data := experiment.Data{Name: *d.data, Dir: *d.dir, Text: *d.text, Tokenizer: *d.tokenizer, TextBytes: *d.textBytes,
		Validation: *d.validation}
	if *d.classes != "" {
		for _, f := range strings.Split(*d.classes, ",") {
			c, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil {
				return data, usageErrorf("--classes %q: a comma-separated list of class numbers such as 0,1,2,3,4", *d.classes)
			}
			data.Classes = append(data.Classes, c)
		}
	}
	return data, nil
}
