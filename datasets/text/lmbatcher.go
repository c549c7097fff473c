package text

import (
	"fmt"
	"iter"
	"math/rand/v2"
)

// LMBatch is a batch of token blocks for causal language modelling: Size rows of T ids in
// row-major order. The labels are the inputs themselves (the model shifts them), as in Hugging
// Face's GPT2LMHeadModel.
type LMBatch struct {
	// Inputs holds Size*T token ids.
	Inputs []int32
	// Size is the number of rows (the batch size, or fewer in a final partial batch); T the
	// context length.
	Size, T int
}

// LMBatcher cuts a token stream into batches of (B, T) blocks. It owns no copy of the tokens and
// is not safe for concurrent use (the random stream is shared); each batch is a fresh slice.
type LMBatcher struct {
	tokens []int32
	b, t   int
	seed   uint64
	rng    *rand.Rand
}

// NewLMBatcher returns a batcher of batchSize rows of contextLen tokens over tokens, with the random
// stream of [LMBatcher.Next] seeded by seed. The stream must hold at least one block.
func NewLMBatcher(tokens []int32, batchSize, contextLen int, seed uint64) (*LMBatcher, error) {
	if batchSize <= 0 || contextLen <= 0 {
		return nil, fmt.Errorf("text: batch size %d and context length %d must be positive", batchSize, contextLen)
	}
	if len(tokens) < contextLen {
		return nil, fmt.Errorf("text: %d tokens, fewer than one block of %d: use a longer text or a shorter context", len(tokens), contextLen)
	}
	return &LMBatcher{tokens: tokens, b: batchSize, t: contextLen, seed: seed, rng: rand.New(rand.NewPCG(seed, 0x6c6f676168))}, nil
}

// NumBlocks returns the number of non-overlapping blocks, len(tokens)/T (the remainder is
// dropped, as Hugging Face's group_texts does).
func (l *LMBatcher) NumBlocks() int { return len(l.tokens) / l.t }

// Next returns a training batch of B blocks starting at random offsets anywhere in the stream
// (nanoGPT's sampling). The sequence of batches depends only on the seed.
func (l *LMBatcher) Next() LMBatch {
	out := LMBatch{Inputs: make([]int32, l.b*l.t), Size: l.b, T: l.t}
	span := len(l.tokens) - l.t + 1
	for r := range l.b {
		off := l.rng.IntN(span)
		copy(out.Inputs[r*l.t:(r+1)*l.t], l.tokens[off:off+l.t])
	}
	return out
}

// Epoch returns the batches of epoch e over the non-overlapping blocks in a random order that
// depends only on (seed, e) and not on other calls: each block is seen once per epoch, as when a DataLoader shuffles
// Hugging Face's grouped blocks. The final partial batch is dropped so every batch has B rows.
func (l *LMBatcher) Epoch(e int) iter.Seq[LMBatch] {
	return func(yield func(LMBatch) bool) {
		perm := rand.New(rand.NewPCG(l.seed, uint64(e))).Perm(l.NumBlocks())
		for from := 0; from+l.b <= len(perm); from += l.b {
			if !yield(l.blocks(perm[from : from+l.b])) {
				return
			}
		}
	}
}

// BatchesPerEpoch is the number of full batches [LMBatcher.Epoch] yields.
func (l *LMBatcher) BatchesPerEpoch() int { return l.NumBlocks() / l.b }

// Batch returns batch k of epoch e, the same batch [LMBatcher.Epoch] yields k-th, without
// iterating (a resumed run jumps straight to its step). It panics if k is outside
// [0, BatchesPerEpoch()).
func (l *LMBatcher) Batch(e, k int) LMBatch {
	if k < 0 || k >= l.BatchesPerEpoch() {
		panic(fmt.Sprintf("text: batch %d outside [0, %d)", k, l.BatchesPerEpoch()))
	}
	perm := rand.New(rand.NewPCG(l.seed, uint64(e))).Perm(l.NumBlocks())
	return l.blocks(perm[k*l.b : (k+1)*l.b])
}

// Sequential returns the non-overlapping blocks in order, B at a time: the validation stream,
// covering the text once. With dropLast the final partial batch is skipped; otherwise it comes
// with fewer rows.
func (l *LMBatcher) Sequential(dropLast bool) iter.Seq[LMBatch] {
	return func(yield func(LMBatch) bool) {
		n := l.NumBlocks()
		for from := 0; from < n; from += l.b {
			to := min(from+l.b, n)
			if dropLast && to-from < l.b {
				return
			}
			idx := make([]int, to-from)
			for i := range idx {
				idx[i] = from + i
			}
			if !yield(l.blocks(idx)) {
				return
			}
		}
	}
}

// blocks gathers the given block indices into a batch.
func (l *LMBatcher) blocks(idx []int) LMBatch {
	out := LMBatch{Inputs: make([]int32, len(idx)*l.t), Size: len(idx), T: l.t}
	for r, k := range idx {
		copy(out.Inputs[r*l.t:(r+1)*l.t], l.tokens[k*l.t:(k+1)*l.t])
	}
	return out
}
