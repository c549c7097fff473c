package datasets

import (
	"fmt"
	"strings"
)

// loaders maps each image dataset name to its loader.
var loaders = map[string]func(dir string, part Part) (*Images, error){
	"mnist":         LoadMNIST,
	"fashion-mnist": LoadFashionMNIST,
	"cifar10":       LoadCIFAR10,
	"cifar100":      LoadCIFAR100,
}

// ImageNames lists the image datasets [Load] knows, in a fixed order.
var ImageNames = []string{"fashion-mnist", "mnist", "cifar10", "cifar100"}

// Load loads part of the image dataset called name (one of [ImageNames]) from dir, or from the
// default locations when dir is empty: the entry point for command lines and configs.
func Load(name, dir string, part Part) (*Images, error) {
	load, ok := loaders[name]
	if !ok {
		return nil, fmt.Errorf("datasets: unknown image dataset %q (known: %s)", name, strings.Join(ImageNames, ", "))
	}
	return load(dir, part)
}
