package backend

import (
	"fmt"
	"testing"
	"time"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/layers/activation"
)

// TestParallelSchedulerDoesNotDeadlock runs a graph of many independent branches, each a matrix
// product large enough for the engine to split it over workers followed by an exact GELU large
// enough to be chunked, 100 times in a row, each under a timeout. On unpatched compute v0.1.2
// the kernels of concurrently running nodes wait for each other's workers and the run hangs at
// 0% CPU; with the patched pool each kernel's caller does the work itself when no worker is free.
func TestParallelSchedulerDoesNotDeadlock(t *testing.T) {
	const branches, runs = 16, 100
	for _, opts := range []string{DefaultGoOptions, "parallelism=1", "parallelism=-1"} {
		t.Run(fmt.Sprintf("options=%q", opts), func(t *testing.T) {
			b, err := New("go:" + opts)
			if err != nil {
				t.Fatal(err)
			}
			exec, err := NewExec(b, func(x *Node) *Node {
				g := x.Graph()
				var sum *Node
				for i := range branches {
					w := Iota(g, shapes.Make(dtypes.Float32, 96, 256), 1)
					w = MulScalar(AddScalar(w, float64(i)), 1e-3)
					y := activation.Gelu(MatMul(x, w)) // [128, 256]: 32768 elements
					if sum == nil {
						sum = y
					} else {
						sum = Add(sum, y)
					}
				}
				return ReduceAllSum(sum)
			})
			if err != nil {
				t.Fatal(err)
			}
			defer exec.Finalize()
			data := make([]float32, 128*96)
			for i := range data {
				data[i] = float32(i%7) * 0.01
			}
			x := tensors.FromFlatDataAndDimensions(data, 128, 96)
			var first float32
			for run := range runs {
				done := make(chan float32, 1)
				errc := make(chan error, 1)
				go func() {
					out, err := exec.Call1(x)
					if err != nil {
						errc <- err
						return
					}
					done <- tensors.ToScalar[float32](out)
					out.MustFinalizeAll()
				}()
				select {
				case v := <-done:
					if run == 0 {
						first = v
					} else if v != first {
						t.Fatalf("run %d: result %g differs from the first run's %g", run, v, first)
					}
				case err := <-errc:
					t.Fatalf("run %d: %v", run, err)
				case <-time.After(30 * time.Second):
					t.Fatalf("run %d of %d did not finish in 30 s: the parallel executor deadlocked", run+1, runs)
				}
			}
		})
	}
}
