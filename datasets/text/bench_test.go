package text

import (
	"sync"
	"testing"
)

// benchCorpus is the first 4 MB of the Go source corpus, read once.
var benchCorpus = sync.OnceValue(func() *Corpus {
	c, err := GoSource(GoSourceOptions{MaxBytes: 4 << 20})
	if err != nil {
		panic(err)
	}
	return c
})

// benchDocs times run over the training documents of benchCorpus, counting their bytes.
func benchDocs(b *testing.B, run func(docs []string)) {
	docs := benchCorpus().Train
	b.SetBytes(DocBytes(docs))
	for b.Loop() {
		run(docs)
	}
}

// benchGPT2 returns the GPT-2 tokenizer.
func benchGPT2(b *testing.B) *GPT2 {
	tok, err := NewGPT2()
	if err != nil {
		b.Fatal(err)
	}
	return tok
}

// BenchmarkGPT2Encode measures single-goroutine GPT-2 encoding throughput (MB/s of Go source).
func BenchmarkGPT2Encode(b *testing.B) {
	tok := benchGPT2(b)
	benchDocs(b, func(docs []string) {
		for _, d := range docs {
			tok.Encode(d)
		}
	})
}

// BenchmarkTokenizeGPT2 measures Tokenize (all cores) with GPT-2.
func BenchmarkTokenizeGPT2(b *testing.B) {
	tok := benchGPT2(b)
	benchDocs(b, func(docs []string) { Tokenize(tok, docs, GPT2EOT) })
}

// BenchmarkTokenizeBytes measures Tokenize with the byte tokenizer.
func BenchmarkTokenizeBytes(b *testing.B) {
	benchDocs(b, func(docs []string) { Tokenize(Bytes{}, docs) })
}

// BenchmarkLMBatcherNext measures drawing a GPT-2-sized training batch (8×1024).
func BenchmarkLMBatcherNext(b *testing.B) {
	l, err := NewLMBatcher(make([]int32, 1<<20), 8, 1024, 1)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		l.Next()
	}
}
