package text

import (
	"slices"
	"testing"
)

func ramp(n int) []int32 {
	s := make([]int32, n)
	for i := range s {
		s[i] = int32(i)
	}
	return s
}

func TestLMBatcherNext(t *testing.T) {
	tokens := ramp(1000)
	a, err := NewLMBatcher(tokens, 4, 16, 7)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewLMBatcher(tokens, 4, 16, 7)
	c, _ := NewLMBatcher(tokens, 4, 16, 8)
	same, differs := true, false
	starts := map[int32]bool{}
	for range 50 {
		x, y, z := a.Next(), b.Next(), c.Next()
		if x.Size != 4 || x.T != 16 || len(x.Inputs) != 64 {
			t.Fatalf("batch shape %d×%d, %d ids", x.Size, x.T, len(x.Inputs))
		}
		same = same && slices.Equal(x.Inputs, y.Inputs)
		differs = differs || !slices.Equal(x.Inputs, z.Inputs)
		for r := range 4 {
			row := x.Inputs[r*16 : (r+1)*16]
			// Each row is a contiguous window of the stream.
			for k := range row {
				if row[k] != row[0]+int32(k) {
					t.Fatalf("row %v is not a window of the stream", row)
				}
			}
			if row[0] < 0 || row[15] >= 1000 {
				t.Fatalf("row %v outside the stream", row)
			}
			starts[row[0]] = true
		}
	}
	if !same {
		t.Error("same seed gave different batches")
	}
	if !differs {
		t.Error("different seeds gave the same batches")
	}
	if len(starts) < 100 {
		t.Errorf("only %d distinct offsets in 200 rows", len(starts))
	}
}

func TestLMBatcherSequential(t *testing.T) {
	tokens := ramp(100)
	l, err := NewLMBatcher(tokens, 4, 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	if l.NumBlocks() != 10 {
		t.Fatalf("NumBlocks = %d", l.NumBlocks())
	}
	var got []int32
	var sizes []int
	for b := range l.Sequential(false) {
		got = append(got, b.Inputs...)
		sizes = append(sizes, b.Size)
	}
	if !slices.Equal(got, tokens) || !slices.Equal(sizes, []int{4, 4, 2}) {
		t.Errorf("sequential covered %d tokens in batches %v", len(got), sizes)
	}
	sizes = sizes[:0]
	for b := range l.Sequential(true) {
		sizes = append(sizes, b.Size)
	}
	if !slices.Equal(sizes, []int{4, 4}) {
		t.Errorf("dropLast batches %v", sizes)
	}
}

func TestLMBatcherEpoch(t *testing.T) {
	l, err := NewLMBatcher(ramp(105), 3, 5, 1) // 21 blocks: 7 batches
	if err != nil {
		t.Fatal(err)
	}
	collect := func(e int) []int32 {
		var firsts []int32
		for b := range l.Epoch(e) {
			for r := range b.Size {
				row := b.Inputs[r*5 : (r+1)*5]
				if row[0]%5 != 0 || row[4] != row[0]+4 {
					t.Fatalf("row %v is not an aligned block", row)
				}
				firsts = append(firsts, row[0])
			}
		}
		return firsts
	}
	e0, e0again, e1 := collect(0), collect(0), collect(1)
	if len(e0) != 21 {
		t.Fatalf("epoch saw %d blocks, want 21", len(e0))
	}
	sorted := slices.Sorted(slices.Values(e0))
	for i, v := range sorted {
		if v != int32(5*i) {
			t.Fatalf("epoch did not see every block once: %v", sorted)
		}
	}
	if !slices.Equal(e0, e0again) || slices.Equal(e0, e1) {
		t.Error("epoch order must be reproducible and change between epochs")
	}
}

func TestLMBatcherErrors(t *testing.T) {
	if _, err := NewLMBatcher(ramp(5), 2, 10, 0); err == nil {
		t.Error("a stream shorter than one block was accepted")
	}
	if _, err := NewLMBatcher(ramp(50), 0, 10, 0); err == nil {
		t.Error("batch size 0 was accepted")
	}
}

func TestLMBatcherBatchEqualsEpochOrder(t *testing.T) {
	tokens := make([]int32, 1000)
	for i := range tokens {
		tokens[i] = int32(i)
	}
	l, err := NewLMBatcher(tokens, 3, 10, 5)
	if err != nil {
		t.Fatal(err)
	}
	k := 0
	for b := range l.Epoch(2) {
		got := l.Batch(2, k)
		if !slices.Equal(got.Inputs, b.Inputs) {
			t.Fatalf("batch %d differs from the epoch order", k)
		}
		k++
	}
	if k != l.BatchesPerEpoch() || k != 33 {
		t.Fatalf("%d batches, BatchesPerEpoch %d", k, l.BatchesPerEpoch())
	}
}
