package text

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Corpus is a text corpus cut into documents, one list per split. A document is the unit that is
// tokenized on its own: a line for WikiText (as Hugging Face's datasets rows are), a file for the
// Go source corpus.
type Corpus struct {
	// Name identifies the corpus, e.g. "wikitext-2" or "go-src".
	Name string
	// Train, Valid and Test hold the documents of each split; Test may be empty.
	Train, Valid, Test []string
}

// DocBytes returns the number of bytes of text in docs.
func DocBytes(docs []string) int64 {
	var n int64
	for _, d := range docs {
		n += int64(len(d))
	}
	return n
}

// Tokenize encodes the documents with tok and concatenates the ids in document order, appending
// sep (for example [GPT2EOT]; nothing when empty) after each document. The work is spread over
// GOMAXPROCS goroutines; the result does not depend on how it was spread.
func Tokenize(tok Tokenizer, docs []string, sep ...int32) []int32 {
	parts := make([][]int32, len(docs))
	var next atomic.Int64
	var wg sync.WaitGroup
	workers := min(runtime.GOMAXPROCS(0), len(docs))
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(docs) {
					return
				}
				parts[i] = tok.Encode(docs[i])
			}
		})
	}
	wg.Wait()
	total := 0
	for _, p := range parts {
		total += len(p) + len(sep)
	}
	out := make([]int32, 0, total)
	for _, p := range parts {
		out = append(out, p...)
		out = append(out, sep...)
	}
	return out
}
