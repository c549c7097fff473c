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
// Face's GPT2Tokenizer). The vocabulary comes from github.com/tiktoken-go/tokenizer, which compiles
// it into the program: nothing is read from disk or the network.
//
// Encoding runs this package's own pre-tokenizer (GPT-2's split pattern, written out by hand) and
// byte-pair merge, about ten times faster than the regular-expression engine of tiktoken-go; the
// tests check that both give the same ids on the Go standard library sources.
//
// Encode treats "<|endoftext|>" in the input as ordinary text (as tiktoken does by default for
// special tokens); append [GPT2EOT] yourself to separate documents. Decode turns GPT2EOT into
// "<|endoftext|>". A GPT2 is safe for concurrent use.
type GPT2 struct {
	v *gpt2Vocab
}

// gpt2Vocab is the shared, read-only vocabulary.
type gpt2Vocab struct {
	codec  tokenizer.Codec  // reference implementation, used for very long pieces
	ranks  map[string]int32 // token bytes -> id (= merge rank)
	tokens []string         // id -> token bytes, for ids below GPT2EOT
	// pairs[a<<8|b] is the rank of the two-byte token ab, or noRank: the first round of merges
	// without map look-ups.
	pairs []int32
}

// noRank marks a pair of parts that is not a token.
const noRank = 1<<31 - 1

var loadGPT2Vocab = sync.OnceValues(func() (*gpt2Vocab, error) {
	c, err := tokenizer.Get(tokenizer.R50kBase)
	if err != nil {
		return nil, err
	}
	v := &gpt2Vocab{codec: c, ranks: make(map[string]int32, GPT2EOT), tokens: make([]string, GPT2EOT)}
	one := make([]uint, 1)
	for id := range GPT2EOT {
		one[0] = uint(id)
		s, err := c.Decode(one)
		if err != nil {
			return nil, fmt.Errorf("token %d: %w", id, err)
		}
		v.tokens[id] = s
		v.ranks[s] = id
	}
	v.pairs = make([]int32, 1<<16)
	for k := range v.pairs {
		v.pairs[k] = noRank
		if id, ok := v.ranks[string([]byte{byte(k >> 8), byte(k)})]; ok {
			v.pairs[k] = id
		}
	}
	if len(v.ranks) != int(GPT2EOT) {
		return nil, fmt.Errorf("vocabulary has %d distinct tokens, want %d", len(v.ranks), GPT2EOT)
	}
	return v, nil
})

// NewGPT2 returns the GPT-2 tokenizer. The first call builds the 50k-entry vocabulary (tens of
// milliseconds); later calls share it.
func NewGPT2() (*GPT2, error) {
	v, err := loadGPT2Vocab()
	if err != nil {
		return nil, fmt.Errorf("text: GPT-2 tokenizer: %w", err)
	}
	return &GPT2{v: v}, nil
}

// Encode returns the GPT-2 token ids of s. Invalid UTF-8 bytes are kept (each is its own
// byte-level piece, classed like U+FFFD), so Decode(Encode(s)) == s for every string.
func (t *GPT2) Encode(s string) []int32 {
	out := make([]int32, 0, len(s)/3+1)
	// Pieces that need merging repeat within a text (identifiers, words): merge each once.
	var cache map[string][2]int32 // piece -> span of out holding its ids
	for i := 0; i < len(s); {
		j := gpt2NextPiece(s, i)
		piece := s[i:j]
		i = j
		if id, ok := t.v.ranks[piece]; ok {
			out = append(out, id)
			continue
		}
		if sp, ok := cache[piece]; ok {
			out = append(out, out[sp[0]:sp[1]]...)
			continue
		}
		from := len(out)
		out = t.v.mergePiece(piece, out)
		if cache == nil {
			cache = make(map[string][2]int32)
		}
		cache[piece] = [2]int32{int32(from), int32(len(out))}
	}
	return out
}

// Decode returns the text of GPT-2 ids. A sequence cut inside a multi-byte character decodes to
// the raw bytes (invalid UTF-8), so decoding the concatenation of two pieces equals concatenating
// their decodings.
func (t *GPT2) Decode(ids []int32) (string, error) {
	var sb strings.Builder
	for i, id := range ids {
		switch {
		case id == GPT2EOT:
			sb.WriteString(GPT2EOTText)
		case id < 0 || id >= GPT2VocabSize:
			return "", fmt.Errorf("text: GPT-2 token %d at position %d outside [0, %d)", id, i, GPT2VocabSize)
		default:
			sb.WriteString(t.v.tokens[id])
		}
	}
	return sb.String(), nil
}

// VocabSize returns [GPT2VocabSize] (50257).
func (t *GPT2) VocabSize() int { return GPT2VocabSize }

// maxScanPiece is the longest piece merged by the simple quadratic scan; longer ones (rare: long
// runs of one character class) go to tiktoken-go's heap-based merge.
const maxScanPiece = 256

// mergePiece appends the ids of one pre-tokenized piece that is not itself a token: its bytes
// merged by rank, lowest rank first, leftmost on ties (tiktoken's byte-pair merge).
func (v *gpt2Vocab) mergePiece(piece string, out []int32) []int32 {
	n := len(piece)
	if n > maxScanPiece {
		ids, _, err := v.codec.Encode(piece)
		if err == nil && strings.ToValidUTF8(piece, "\uFFFD") == piece {
			for _, id := range ids {
				out = append(out, int32(id))
			}
			return out
		}
		// Invalid UTF-8 would be altered by the regexp engine: merge here, slowly.
	}
	const none = noRank
	var boundsBuf, ranksBuf [64]int32
	bounds := boundsBuf[:0] // parts are piece[bounds[k]:bounds[k+1]]
	ranks := ranksBuf[:0]   // ranks[k]: rank of parts k and k+1 merged, or none
	for k := 0; k <= n; k++ {
		bounds = append(bounds, int32(k))
	}
	pairRank := func(k int) int32 {
		if k+2 >= len(bounds) {
			return none
		}
		if r, ok := v.ranks[piece[bounds[k]:bounds[k+2]]]; ok {
			return r
		}
		return none
	}
	for k := 0; k+1 < n; k++ {
		ranks = append(ranks, v.pairs[int(piece[k])<<8|int(piece[k+1])])
	}
	for len(ranks) > 0 {
		best, bestRank := -1, int32(none)
		for k, r := range ranks {
			if r < bestRank {
				best, bestRank = k, r
			}
		}
		if best < 0 {
			break
		}
		bounds = append(bounds[:best+1], bounds[best+2:]...)
		ranks = append(ranks[:best], ranks[best+1:]...)
		// The merged part changes its pairs with both neighbours.
		if best < len(ranks) {
			ranks[best] = pairRank(best)
		}
		if best > 0 {
			ranks[best-1] = pairRank(best - 1)
		}
	}
	for k := 0; k+1 < len(bounds); k++ {
		out = append(out, v.ranks[piece[bounds[k]:bounds[k+1]]])
	}
	return out
}
