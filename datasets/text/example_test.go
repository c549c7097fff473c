package text_test

import (
	"fmt"

	"github.com/logah-go/logah/datasets/text"
)

func ExampleGPT2() {
	tok, err := text.NewGPT2()
	if err != nil {
		panic(err)
	}
	ids := tok.Encode("Hello, ")
	back, _ := tok.Decode(ids)
	fmt.Println(ids, tok.VocabSize(), fmt.Sprintf("%q", back))
	// Output: [15496 11 220] 50257 "Hello, "
}

func ExampleLMBatcher() {
	// A quick offline corpus: the first 200 kB of the Go standard library sources.
	corpus, err := text.GoSource(text.GoSourceOptions{MaxBytes: 200_000})
	if err != nil {
		panic(err)
	}
	tok := text.Bytes{}
	train := text.Tokenize(tok, corpus.Train)
	batcher, err := text.NewLMBatcher(train, 8, 64, 42)
	if err != nil {
		panic(err)
	}
	batch := batcher.Next() // 8 random windows of 64 bytes: the inputs and the labels
	fmt.Println(batch.Size, batch.T, len(batch.Inputs))
	// Output: 8 64 512
}
