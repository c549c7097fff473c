package datasets

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Standard per-channel (R, G, B) normalisation constants on the 0..1 scale, computed on the
// training images; they are the values ppuda/LoGAH use for CIFAR.
var (
	CIFAR10Mean  = []float32{0.4914, 0.4822, 0.4465}
	CIFAR10Std   = []float32{0.2470, 0.2435, 0.2616}
	CIFAR100Mean = []float32{0.5071, 0.4865, 0.4409}
	CIFAR100Std  = []float32{0.2673, 0.2564, 0.2762}
)

// CIFAR10Classes are CIFAR-10's classes in label order.
var CIFAR10Classes = []string{
	"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck",
}

// CIFAR100Classes are CIFAR-100's 100 fine classes in label order.
var CIFAR100Classes = []string{
	"apple", "aquarium_fish", "baby", "bear", "beaver", "bed", "bee", "beetle", "bicycle", "bottle",
	"bowl", "boy", "bridge", "bus", "butterfly", "camel", "can", "castle", "caterpillar", "cattle",
	"chair", "chimpanzee", "clock", "cloud", "cockroach", "couch", "crab", "crocodile", "cup", "dinosaur",
	"dolphin", "elephant", "flatfish", "forest", "fox", "girl", "hamster", "house", "kangaroo", "keyboard",
	"lamp", "lawn_mower", "leopard", "lion", "lizard", "lobster", "man", "maple_tree", "motorcycle", "mountain",
	"mouse", "mushroom", "oak_tree", "orange", "orchid", "otter", "palm_tree", "pear", "pickup_truck", "pine_tree",
	"plain", "plate", "poppy", "porcupine", "possum", "rabbit", "raccoon", "ray", "road", "rocket",
	"rose", "sea", "seal", "shark", "shrew", "skunk", "skyscraper", "snail", "snake", "spider",
	"squirrel", "streetcar", "sunflower", "sweet_pepper", "table", "tank", "telephone", "television", "tiger", "tractor",
	"train", "trout", "tulip", "turtle", "wardrobe", "whale", "willow_tree", "wolf", "woman", "worm",
}

// CIFAR100CoarseClasses are CIFAR-100's 20 superclasses in label order.
var CIFAR100CoarseClasses = []string{
	"aquatic_mammals", "fish", "flowers", "food_containers", "fruit_and_vegetables",
	"household_electrical_devices", "household_furniture", "insects", "large_carnivores",
	"large_man-made_outdoor_things", "large_natural_outdoor_scenes", "large_omnivores_and_herbivores",
	"medium_mammals", "non-insect_invertebrates", "people", "reptiles", "small_mammals", "trees",
	"vehicles_1", "vehicles_2",
}

// cifarPixels is the size of one CIFAR image: 3 planes (R, G, B) of 32×32 bytes, row-major.
const cifarPixels = 3 * 32 * 32

var (
	cifar10Train = []string{"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"}
	cifar10Test  = []string{"test_batch.bin"}
)

// LoadCIFAR10 loads CIFAR-10's train part (data_batch_1..5.bin, 50000 images) or test part
// (test_batch.bin, 10000 images) from the official binary version: 3×32×32 uint8 images, labels
// 0..9. dir is the folder holding the .bin files or its parent (where cifar-10-binary.tar.gz was
// extracted); when empty, the dataset is looked for in [SearchDirs]("cifar10").
func LoadCIFAR10(dir string, part Part) (*Images, error) {
	files, err := pickPart("cifar10", part, cifar10Train, cifar10Test)
	if err != nil {
		return nil, err
	}
	found, err := locate("cifar10", dir, findIn([]string{"cifar-10-batches-bin"}, append(cifar10Train, cifar10Test...)...))
	if err != nil {
		return nil, err
	}
	d, err := readCIFAR("cifar10/"+string(part), found, files, false)
	if err != nil {
		return nil, err
	}
	d.Classes = append([]string(nil), CIFAR10Classes...)
	d.Mean = append([]float32(nil), CIFAR10Mean...)
	d.Std = append([]float32(nil), CIFAR10Std...)
	return d, d.Validate()
}

// LoadCIFAR100 loads CIFAR-100's train (train.bin, 50000 images) or test part (test.bin, 10000
// images) from the official binary version: 3×32×32 uint8 images, Labels are the 100 fine
// classes and Coarse the 20 superclasses (see [Images.UseCoarseLabels]). dir is the folder
// holding the .bin files or its parent; when empty, the dataset is looked for in
// [SearchDirs]("cifar100").
func LoadCIFAR100(dir string, part Part) (*Images, error) {
	files, err := pickPart("cifar100", part, []string{"train.bin"}, []string{"test.bin"})
	if err != nil {
		return nil, err
	}
	found, err := locate("cifar100", dir, findIn([]string{"cifar-100-binary"}, "train.bin", "test.bin"))
	if err != nil {
		return nil, err
	}
	d, err := readCIFAR("cifar100/"+string(part), found, files, true)
	if err != nil {
		return nil, err
	}
	d.Classes = append([]string(nil), CIFAR100Classes...)
	d.CoarseClasses = append([]string(nil), CIFAR100CoarseClasses...)
	d.Mean = append([]float32(nil), CIFAR100Mean...)
	d.Std = append([]float32(nil), CIFAR100Std...)
	return d, d.Validate()
}

func pickPart(name string, part Part, train, test []string) ([]string, error) {
	switch part {
	case Train:
		return train, nil
	case Test:
		return test, nil
	}
	return nil, fmt.Errorf("%s: unknown part %q (want %q or %q)", name, part, Train, Test)
}

// readCIFAR reads binary CIFAR files: each record is the label byte (CIFAR-10) or the coarse and
// fine label bytes (CIFAR-100), then 3072 pixel bytes already in CHW order.
func readCIFAR(name, dir string, files []string, hundred bool) (*Images, error) {
	labelBytes := 1
	if hundred {
		labelBytes = 2
	}
	record := labelBytes + cifarPixels
	var total int64
	for _, f := range files {
		st, err := os.Stat(filepath.Join(dir, f))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if st.Size() == 0 || st.Size()%int64(record) != 0 {
			return nil, fmt.Errorf("%s: %s has %d bytes, not a positive multiple of the %d-byte record: truncated or not the binary version (want cifar-%s-binary.tar.gz, not the python or matlab one)",
				name, filepath.Join(dir, f), st.Size(), record, map[bool]string{false: "10", true: "100"}[hundred])
		}
		total += st.Size() / int64(record)
	}
	n := int(total)
	d := &Images{Name: name, N: n, C: 3, H: 32, W: 32, Uint8: make([]uint8, n*cifarPixels), Labels: make([]int, n)}
	if hundred {
		d.Coarse = make([]int, n)
	}
	buf := make([]byte, record*1000)
	i := 0
	for _, f := range files {
		path := filepath.Join(dir, f)
		fh, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		for {
			k, err := io.ReadFull(fh, buf)
			if k%record != 0 || i+k/record > n {
				fh.Close()
				return nil, fmt.Errorf("%s: %s changed while reading (partial record)", name, path)
			}
			for r := 0; r < k/record; r++ {
				rec := buf[r*record : (r+1)*record]
				if hundred {
					d.Coarse[i], d.Labels[i] = int(rec[0]), int(rec[1])
				} else {
					d.Labels[i] = int(rec[0])
				}
				copy(d.Uint8[i*cifarPixels:(i+1)*cifarPixels], rec[labelBytes:])
				i++
			}
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				break
			}
			if err != nil {
				fh.Close()
				return nil, fmt.Errorf("%s: %w", name, err)
			}
		}
		fh.Close()
	}
	if i != n {
		return nil, fmt.Errorf("%s: read %d records, expected %d from the file sizes", name, i, n)
	}
	return d, nil
}
