package params_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/logah-go/logah/logah/arch"
	"github.com/logah-go/logah/logah/params"
)

// Initialise a small ViT as torchvision would, save it, and read one tensor back.
func Example() {
	a := arch.ViT{ImageSize: 28, Channels: 1, Patch: 4, Depth: 2, Width: 32, Heads: 4, MLPDim: 64, Classes: 10}
	set, err := params.Init(a, 42)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(set.Len(), "tensors,", set.NumParams(), "parameters")

	dir, _ := os.MkdirTemp("", "params-example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "vit.safetensors")
	if err := params.Save(path, set, map[string]string{"arch": a.String()}); err != nil {
		log.Fatal(err)
	}

	f, err := params.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	ln, err := f.ReadTensor("encoder.ln.weight") // reads this tensor's 128 bytes only
	if err != nil {
		log.Fatal(err)
	}
	st := ln.Stats()
	fmt.Println(f.Metadata()["arch"])
	fmt.Printf("%s %v mean=%g std=%g\n", ln.Name(), ln.Shape(), st.Mean, st.Std)
	// Output:
	// 32 tensors, 19658 parameters
	// vit(L2 D32 H4 M64 p4 28x28x1 C10)
	// encoder.ln.weight [32] mean=1 std=0
}

// Stream tensors into a file without holding the model in memory: declare everything first,
// then write each tensor as it is produced.
func ExampleCreate() {
	dir, _ := os.MkdirTemp("", "params-example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "stream.safetensors")

	w, err := params.Create(path, []params.TensorInfo{
		{Name: "layer.weight", DType: params.F32, Shape: []int{2, 3}},
		{Name: "layer.bias", DType: params.BF16, Shape: []int{2}},
	}, map[string]string{"producer": "example"})
	if err != nil {
		log.Fatal(err)
	}
	defer w.Abort() // discards the temporary file unless Close succeeded
	if err := w.WriteFloat32("layer.weight", []float32{1, 2, 3, 4, 5, 6}); err != nil {
		log.Fatal(err)
	}
	if err := w.WriteFloat32("layer.bias", []float32{0.5, -0.25}); err != nil { // stored as BF16
		log.Fatal(err)
	}
	if err := w.Close(); err != nil { // checks sizes, syncs, renames into place
		log.Fatal(err)
	}

	set, md, err := params.Load(path)
	if err != nil {
		log.Fatal(err)
	}
	for t := range set.All() {
		fmt.Println(t, t.Float32s())
	}
	fmt.Println(md["producer"])
	// Output:
	// layer.weight F32[2 3] [1 2 3 4 5 6]
	// layer.bias BF16[2] [0.5 -0.25]
	// example
}

// Compare a prediction against a reference tensor by tensor.
func ExampleCompare() {
	want := params.NewSet()
	want.AddFloat32("w", []int{3}, []float32{1, 2, 4})
	got := params.NewSet()
	got.AddFloat32("w", []int{3}, []float32{1, 2.5, 4})
	c, err := params.Compare(got, want)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("max abs %g in %s, relative to max |want| %g\n", c.MaxAbs, c.WorstAbs, c.RelToMax)
	// Output:
	// max abs 0.5 in w, relative to max |want| 0.125
}
