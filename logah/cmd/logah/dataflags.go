package main

import (
	"flag"
	"fmt"

	"github.com/logah-go/logah/datasets"
	"github.com/logah-go/logah/logah/arch"
)

// dataFlags are the dataset flags shared by the training commands.
type dataFlags struct {
	data, dir, text, tokenizer *string
	textBytes                  *int64
}

func addDataFlags(fs *flag.FlagSet) *dataFlags {
	return &dataFlags{
		data:      fs.String("data", "fashion-mnist", "dataset: fashion-mnist, mnist, cifar10, cifar100 or text"),
		dir:       fs.String("data-dir", "", "dataset directory (default: $LOGAH_DATA, then system locations)"),
		text:      fs.String("text", "", "text: a WikiText directory (default: the Go standard library source tree)"),
		tokenizer: fs.String("tokenizer", "bytes", "text: bytes (vocabulary 256) or gpt2 (BPE, 50257)"),
		textBytes: fs.Int64("text-bytes", 4<<20, "text: cap on the corpus size in bytes (0: all)"),
	}
}

// images loads the train and test parts of the image dataset for ViT v, checking that the
// images fit it, and keeps the first maxTrain training images when maxTrain > 0.
func (d *dataFlags) images(v arch.ViT, maxTrain int) (train, test *datasets.Images, err error) {
	if *d.data == "text" {
		return nil, nil, usageErrorf("a ViT needs an image dataset, not --data text")
	}
	if train, err = datasets.Load(*d.data, *d.dir, datasets.Train); err != nil {
		return nil, nil, err
	}
	if test, err = datasets.Load(*d.data, *d.dir, datasets.Test); err != nil {
		return nil, nil, err
	}
	if train.C != v.Channels || train.H != v.ImageSize || train.NumClasses() > v.Classes {
		return nil, nil, fmt.Errorf("%s expects %dx%dx%d images and ≥ %d classes, but %s has %dx%dx%d and %d classes: adjust the architecture",
			v, v.ImageSize, v.ImageSize, v.Channels, train.NumClasses(), *d.data, train.H, train.W, train.C, train.NumClasses())
	}
	if maxTrain > 0 {
		if train, err = train.Range(0, min(maxTrain, train.N)); err != nil {
			return nil, nil, err
		}
	}
	return train, test, nil
}
