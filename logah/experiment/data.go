package experiment

import (
	"fmt"

	"github.com/logah-go/logah/datasets"
	"github.com/logah-go/logah/datasets/text"
	"github.com/logah-go/logah/logah/arch"
	"github.com/logah-go/logah/logah/trainer"
)

// Data names a dataset and where to read it.
type Data struct {
	// Name is fashion-mnist, mnist, cifar10, cifar100 (images, for ViTs) or text (GPT-2).
	Name string `json:"name"`
	// Dir is the dataset directory ("": $LOGAH_DATA, then the system locations).
	Dir string `json:"dir,omitempty"`
	// Text is a WikiText directory ("": the Go standard library source tree).
	Text string `json:"text,omitempty"`
	// Tokenizer is bytes (vocabulary 256) or gpt2 (BPE, 50257).
	Tokenizer string `json:"tokenizer,omitempty"`
	// TextBytes caps the text corpus (0: all of it).
	TextBytes int64 `json:"text_bytes,omitempty"`
	// Classes, when not empty, keeps only these classes of an image dataset, relabelled 0, 1, …
	// in this order (e.g. Fashion-MNIST 0–4 to train a hypernetwork, 5–9 to transfer to).
	Classes []int `json:"classes,omitempty"`
	// Validation, when positive, holds out the end of the training split and evaluates on it
	// instead of on the test split (images: the test set; text: the corpus's validation split),
	// which then stays untouched: the split for choosing hyperparameters such as a learning rate.
	// Images: the last Validation training images (after the class selection). Text: the last
	// Validation training tokens.
	Validation int `json:"validation,omitempty"`
}

// DefaultData is Fashion-MNIST, with byte tokenisation and a 4 MiB cap for text.
func DefaultData() Data {
	return Data{Name: "fashion-mnist", Tokenizer: "bytes", TextBytes: 4 << 20}
}

// IsText tells whether d is the text corpus.
func (d Data) IsText() bool { return d.Name == "text" }

// Images loads the train and test splits for the ViT v, checking that the images fit it, and
// keeps the first maxTrain training images when maxTrain > 0. With d.Validation > 0 the
// returned evaluation split is the last d.Validation training images and training uses the
// rest.
func (d Data) Images(v arch.ViT, maxTrain int) (train, test *datasets.Images, err error) {
	if d.IsText() {
		return nil, nil, fmt.Errorf("data: a ViT needs an image dataset (fashion-mnist, mnist, cifar10, cifar100), not text")
	}
	if train, err = datasets.Load(d.Name, d.Dir, datasets.Train); err != nil {
		return nil, nil, err
	}
	if test, err = datasets.Load(d.Name, d.Dir, datasets.Test); err != nil {
		return nil, nil, err
	}
	if len(d.Classes) > 0 {
		if train, err = train.SelectClasses(d.Classes); err != nil {
			return nil, nil, err
		}
		if test, err = test.SelectClasses(d.Classes); err != nil {
			return nil, nil, err
		}
	}
	if train.C != v.Channels || train.H != v.ImageSize || train.NumClasses() > v.Classes {
		return nil, nil, fmt.Errorf("%s expects %dx%dx%d images and ≥ %d classes, but %s has %dx%dx%d and %d classes: adjust the architecture",
			v, v.ImageSize, v.ImageSize, v.Channels, train.NumClasses(), d.Name, train.H, train.W, train.C, train.NumClasses())
	}
	if d.Validation < 0 || d.Validation > 0 && d.Validation >= train.N {
		return nil, nil, fmt.Errorf("data: validation %d must be between 0 and the %d training images of %s (exclusive): hold out fewer images",
			d.Validation, train.N, d.Name)
	}
	if d.Validation > 0 {
		n := train.N - d.Validation
		if test, err = train.Range(n, train.N); err != nil {
			return nil, nil, err
		}
		if train, err = train.Range(0, n); err != nil {
			return nil, nil, err
		}
	}
	if maxTrain > 0 {
		if train, err = train.Range(0, min(maxTrain, train.N)); err != nil {
			return nil, nil, err
		}
	}
	return train, test, nil
}

// TextTask tokenises the corpus for the language model g (GPT-2 or Llama): blocks of
// g.ContextLen() tokens, batches of batch, shuffled with seed, with the given dropout during
// training (GPT-2 only: Llama has none) and at most maxEval validation batches per evaluation
// (0: all).
func (d Data) TextTask(g arch.LM, batch int, seed uint64, dropout float64, maxEval int) (*trainer.TextTask, error) {
	if !d.IsText() {
		return nil, fmt.Errorf("data: a language model (%s) needs --data text, not %s", g.Kind(), d.Name)
	}
	tokName := d.Tokenizer
	if tokName == "" {
		tokName = "bytes"
	}
	tok, err := text.NewTokenizer(tokName)
	if err != nil {
		return nil, err
	}
	if tok.VocabSize() > g.VocabSize() {
		return nil, fmt.Errorf("tokenizer %s has %d tokens but %s has vocab %d: use a matching tokenizer or vocab", tokName, tok.VocabSize(), g, g.VocabSize())
	}
	var corpus *text.Corpus
	if d.Text != "" {
		corpus, err = text.LoadWikiText(d.Text, d.TextBytes)
	} else {
		corpus, err = text.GoSource(text.GoSourceOptions{MaxBytes: d.TextBytes})
	}
	if err != nil {
		return nil, err
	}
	var sep []int32
	if tokName == "gpt2" {
		sep = append(sep, text.GPT2EOT)
	}
	trainIDs, validIDs := text.Tokenize(tok, corpus.Train, sep...), text.Tokenize(tok, corpus.Valid, sep...)
	if d.Validation < 0 || d.Validation > 0 && 2*d.Validation > len(trainIDs) {
		return nil, fmt.Errorf("data: validation %d tokens must be between 0 and half of the %d training tokens of the corpus: hold out fewer tokens",
			d.Validation, len(trainIDs))
	}
	if d.Validation > 0 {
		n := len(trainIDs) - d.Validation
		trainIDs, validIDs = trainIDs[:n], trainIDs[n:]
	}
	train, err := text.NewLMBatcher(trainIDs, batch, g.ContextLen(), seed)
	if err != nil {
		return nil, err
	}
	valid, err := text.NewLMBatcher(validIDs, batch, g.ContextLen(), seed)
	if err != nil {
		return nil, err
	}
	return &trainer.TextTask{Train: train, Valid: valid, Dropout: dropout, MaxEvalBatches: maxEval}, nil
}

// TaskOptions are the settings of [Data.Task] besides the architecture.
type TaskOptions struct {
	Batch int
	Seed  uint64
	// MaxTrain keeps the first MaxTrain training images (0: all; images only).
	MaxTrain int
	// MaxEval caps evaluation: test images, or validation batches for text (0: all).
	MaxEval int
	// Dropout is GPT-2's dropout during training (GPT-2 only: ViTs and Llamas have none).
	Dropout float64
	// LabelSmoothing is the cross entropy's label smoothing (images only).
	LabelSmoothing float64
	// Augment applies the standard CIFAR augmentation to training images: a random crop with
	// zero padding 4 and a horizontal flip (datasets.CIFARAugment; images only).
	Augment bool
}

// Task prepares the training task of a: an image classification task for a ViT, language
// modelling for a GPT-2 or a Llama.
func (d Data) Task(a arch.Arch, o TaskOptions) (trainer.Task, error) {
	switch s := a.(type) {
	case arch.ViT:
		train, test, err := d.Images(s, o.MaxTrain)
		if err != nil {
			return nil, err
		}
		opts := trainer.ImageTaskOptions{MaxEvalExamples: o.MaxEval, LabelSmoothing: o.LabelSmoothing}
		if o.Augment {
			opts.Augment = datasets.CIFARAugment
		}
		return trainer.NewImageTask(train, test, o.Batch, o.Seed, opts)
	case arch.LM:
		if o.LabelSmoothing != 0 || o.Augment {
			return nil, fmt.Errorf("label smoothing and augmentation apply to images: %s trains on text without them", a)
		}
		return d.TextTask(s, o.Batch, o.Seed, o.Dropout, o.MaxEval)
	default:
		return nil, fmt.Errorf("no task for %s", a)
	}
}
