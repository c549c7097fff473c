package text

import (
	"fmt"
	"strings"
)

// Tokenizer turns text into token ids and back. Implementations are safe for concurrent use.
type Tokenizer interface {
	// Encode returns the token ids of s; every id is in [0, VocabSize()).
	Encode(s string) []int32
	// Decode returns the text of ids, or an error naming the first id outside the vocabulary.
	Decode(ids []int32) (string, error)
	// VocabSize is the number of distinct ids, the size of a model's embedding table.
	VocabSize() int
}

// TokenizerNames lists the names [NewTokenizer] accepts.
var TokenizerNames = []string{"gpt2", "bytes"}

// NewTokenizer returns the tokenizer called name: "gpt2" ([GPT2], vocabulary 50257) or "bytes"
// ([Bytes], vocabulary 256).
func NewTokenizer(name string) (Tokenizer, error) {
	switch name {
	case "gpt2":
		return NewGPT2()
	case "bytes":
		return Bytes{}, nil
	}
	return nil, fmt.Errorf("text: unknown tokenizer %q (known: %s)", name, strings.Join(TokenizerNames, ", "))
}

// Bytes is the byte-level tokenizer: each byte of the UTF-8 text is one token (vocabulary 256).
// It needs no data, never fails to encode and round-trips any string exactly.
type Bytes struct{}

// Encode returns the bytes of s as ids.
func (Bytes) Encode(s string) []int32 {
	ids := make([]int32, len(s))
	for i := 0; i < len(s); i++ {
		ids[i] = int32(s[i])
	}
	return ids
}

// Decode returns the bytes ids as a string.
func (Bytes) Decode(ids []int32) (string, error) {
	b := make([]byte, len(ids))
	for i, id := range ids {
		if id < 0 || id > 255 {
			return "", fmt.Errorf("text: byte token %d at position %d outside [0, 256)", id, i)
		}
		b[i] = byte(id)
	}
	return string(b), nil
}

// VocabSize returns 256.
func (Bytes) VocabSize() int { return 256 }
