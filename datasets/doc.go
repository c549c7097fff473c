// Package datasets loads the image datasets of LoGAH Lab and turns them into batches: plain Go
// slices, with no GoMLX code (the trainer turns batches into tensors). Text corpora, tokenizers
// and language-model batches live in the sub-package datasets/text.
//
// # Model
//
//	files on disk --Load*--> *Images (N×C×H×W uint8 + labels + mean/std)
//	              --Subset / Split / SelectClasses--> *Images
//	              --NewBatcher--> Batch (float32 NCHW pixels, int32 labels), per epoch or endless
//
// [Images] holds a whole dataset in memory in NCHW order (raw uint8 pixels as stored, or float32
// on the 0..1 scale), one label per image, class names and the per-channel mean and standard
// deviation used to normalise it. Selections copy, so they never alias their parent.
//
// A [Batcher] converts images to float32 through a 256-entry table per channel (scaling and
// normalisation folded in), shuffles with an order that depends only on (seed, epoch), applies the
// standard CIFAR augmentation (random crop with zero padding 4, horizontal flip) when asked, and
// reuses its buffers: producing a batch allocates nothing.
//
// # Where the data comes from
//
//   - Fashion-MNIST and MNIST: the four IDX files (train-images-idx3-ubyte.gz, ...), gzip or not.
//     Fashion-MNIST comes from the Debian package dataset-fashion-mnist, installed in
//     /usr/share/datasets/fashion-mnist.
//   - CIFAR-10 and CIFAR-100: the official binary versions (cifar-10-binary.tar.gz,
//     cifar-100-binary.tar.gz) extracted in a folder.
//
// Every loader takes a directory; an empty one means: look in $LOGAH_DATA/NAME (or
// ~/.cache/logah/datasets/NAME when LOGAH_DATA is not set), then /usr/share/datasets/NAME (see
// [SearchDirs]). NAME is fashion-mnist, mnist, cifar10 or cifar100.
//
// Nothing is ever downloaded implicitly. A missing dataset is an error wrapping [ErrMissing] whose
// message says how to get it: the Debian package, `logah data get NAME`, or placing the files.
// [Download] is the one explicit way to fetch a dataset from its official location, checking the
// published MD5 of every file and installing atomically.
//
// # Files and formats are validated
//
// IDX magic numbers, dimensions and exact lengths, the official image counts and sizes of the
// MNIST family, CIFAR record sizes, and label ranges are checked on load, with errors that name
// the file and what was expected.
package datasets
