package text

import (
	"fmt"
	"strings"
	"sync"

	"github.com/tiktoken-go/tokenizer"
)

const (
	// GPT2VocabSize is the size of GPT-2's vocabulary: 50000 merges, 256 bytes and <|endoftext|>.
	GPT2VocabSize = 50257
	// GPT2EOT is the id of <|endoftext|>, GPT-2's document separator.
	GPT2EOT int32 = 50256
	// GPT2EOTText is the text of [GPT2EOT].
	GPT2EOTText = "<|endoftext|>"
)

// GPT2 is GPT-2's byte-level BPE tokenizer (OpenAI's r50k_base encoding, the same ids as Hugging
// Face's GPT2TokenizerFast). The vocabulary is compiled into the program by
// github.com/tiktoken-go/tokenizer: nothing is read from disk or the network.
//
// Encode treats "<|endoftext|>" in the input as ordinary text (as tiktoken does by default for
// special tokens); append [GPT2EOT] yourself to separate documents. Decode turns GPT2EOT into
// "<|endoftext|>". A GPT2 is safe for concurrent use.
type GPT2 struct {
	codec tokenizer.Codec
}

var gpt2Codec = sync.OnceValues(func() (tokenizer.Codec, error) {
	return tokenizer.Get(tokenizer.R50kBase)
})

// NewGPT2 returns the GPT-2 tokenizer. The first call builds the 50k-entry vocabulary (tens of
// milliseconds); later calls share it.
func NewGPT2() (*GPT2, error) {
	c, err := gpt2Codec()
	if err != nil {
		return nil, fmt.Errorf("text: GPT-2 tokenizer: %w", err)
	}
	return &GPT2{codec: c}, nil
}

// Encode returns the GPT-2 token ids of s.
func (t *GPT2) Encode(s string) []int32 {
	if s == "" {
		return nil
	}
	ids, _, err := t.codec.Encode(s)
	if err != nil {
		// The codec only fails on regexp time-outs (not set) or invalid UTF-8 in strict mode
		// (not used): reaching this is a bug in the codec.
		panic(fmt.Sprintf("text: GPT-2 encoding failed: %v", err))
	}
	out := make([]int32, len(ids))
	for i, id := range ids {
		out[i] = int32(id)
	}
	return out
}

// Decode returns the text of GPT-2 ids. A sequence cut inside a multi-byte character decodes to
// the raw bytes (invalid UTF-8), so decoding the concatenation of two pieces equals concatenating
// their decodings.
func (t *GPT2) Decode(ids []int32) (string, error) {
	var sb strings.Builder
	run := make([]uint, 0, len(ids))
	flush := func() error {
		if len(run) == 0 {
			return nil
		}
		s, err := t.codec.Decode(run)
		if err != nil {
			return fmt.Errorf("text: GPT-2 decode: %w", err)
		}
		sb.WriteString(s)
		run = run[:0]
		return nil
	}
	for i, id := range ids {
		switch {
		case id == GPT2EOT:
			if err := flush(); err != nil {
				return "", err
			}
			sb.WriteString(GPT2EOTText)
		case id < 0 || id >= GPT2VocabSize:
			return "", fmt.Errorf("text: GPT-2 token %d at position %d outside [0, %d)", id, i, GPT2VocabSize)
		default:
			run = append(run, uint(id))
		}
	}
	if err := flush(); err != nil {
		return "", err
	}
	return sb.String(), nil
}

// VocabSize returns [GPT2VocabSize] (50257).
func (t *GPT2) VocabSize() int { return GPT2VocabSize }
