package params

import (
	"path/filepath"
	"testing"

	"github.com/logah-go/logah/logah/arch"
)

// benchSet is 256 MiB of F32 in 16 tensors of 16 MiB.
func benchSet(b *testing.B) *Set {
	s := NewSet()
	for i := range 16 {
		data := make([]float32, 4<<20)
		for j := range data {
			data[j] = float32(j%1000) * 1e-3
		}
		if err := s.AddFloat32(string(rune('a'+i))+".weight", []int{2048, 2048}, data); err != nil {
			b.Fatal(err)
		}
	}
	return s
}

// BenchmarkSave256MB measures Save (encode, write, fsync, rename); MB/s is reported by -bench.
func BenchmarkSave256MB(b *testing.B) {
	s := benchSet(b)
	path := filepath.Join(b.TempDir(), "bench.safetensors")
	b.SetBytes(s.NumBytes())
	b.ResetTimer()
	for range b.N {
		if err := Save(path, s, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoad256MB measures Load of a 256 MiB file (mostly from the page cache).
func BenchmarkLoad256MB(b *testing.B) {
	s := benchSet(b)
	path := filepath.Join(b.TempDir(), "bench.safetensors")
	if err := Save(path, s, nil); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(s.NumBytes())
	b.ResetTimer()
	for range b.N {
		if _, _, err := Load(path); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadOneTensor measures reading one 16 MiB tensor out of a 256 MiB file.
func BenchmarkReadOneTensor(b *testing.B) {
	s := benchSet(b)
	path := filepath.Join(b.TempDir(), "bench.safetensors")
	if err := Save(path, s, nil); err != nil {
		b.Fatal(err)
	}
	f, err := Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	b.SetBytes(16 << 20)
	b.ResetTimer()
	for range b.N {
		if _, err := f.ReadTensor("h.weight"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkInitGPT2Small measures Init of GPT-2 Small (124M parameters, tied); MB/s counts
// the float32 bytes produced.
func BenchmarkInitGPT2Small(b *testing.B) {
	a, err := arch.Named("gpt2")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(4 * arch.NumParams(a))
	for range b.N {
		if _, err := Init(a, 1); err != nil {
			b.Fatal(err)
		}
	}
}
