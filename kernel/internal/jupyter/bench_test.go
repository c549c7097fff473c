package jupyter_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/logah-go/logah/kernel/internal/jupyter"
	"github.com/logah-go/logah/kernel/internal/kerneltest"
)

// BenchmarkKernelStart measures starting the installed kernel until its first
// kernel_info_reply (the launcher, GoNB's start and go.work setup).
//
//	GOEXPERIMENT=simd go test -run '^$' -bench KernelStart -benchtime 10x ./kernel/internal/jupyter
func BenchmarkKernelStart(b *testing.B) {
	inst := kerneltest.Install(b)
	spec, err := jupyter.ReadKernelSpec(inst.SpecDir)
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	for b.Loop() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		k, err := jupyter.StartKernel(ctx, spec, jupyter.StartOptions{Dir: dir, Env: inst.Env})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := k.Client.KernelInfo(ctx); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		k.Close()
		cancel()
		b.StartTimer()
	}
}

// BenchmarkCellImportLogah measures a warm cell that imports a logah package and prints:
// what a researcher waits for after pressing shift-enter (GoNB regenerates, compiles, links
// and runs the cell). The first, cold cell is not timed; its time is reported as cold-ms.
//
//	GOEXPERIMENT=simd go test -run '^$' -bench CellImport -benchtime 10x ./kernel/internal/jupyter
func BenchmarkCellImportLogah(b *testing.B) {
	benchWarmCell(b, noautoget+`import "github.com/logah-go/logah/logah/arch"
%%
a, _ := arch.Named("vit-s")
fmt.Println(a, arch.NumParams(a))`)
}

// BenchmarkCellImportFacade is BenchmarkCellImportLogah with a notebook's usual first import,
// the logah facade (which links every package of the library): the "notebook cell" row that
// `logah bench` printed before the command stopped depending on this client.
func BenchmarkCellImportFacade(b *testing.B) {
	benchWarmCell(b, noautoget+`import "github.com/logah-go/logah/logah"
%%
a, err := logah.Arch("vit-s")
logah.MustOK(err)
fmt.Println(a)`)
}

// benchWarmCell runs cell once cold and then times it warm in a started kernel; the cell must
// print a ViT.
func benchWarmCell(b *testing.B, cell string) {
	ctx := context.Background()
	k := startBenchKernel(b)
	defer k.Close()
	run := func() {
		res, err := k.Client.Execute(ctx, cell, jupyter.ExecuteOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if res.Err() != nil || !strings.Contains(res.Stdout(), "vit(") {
			b.Fatalf("cell failed: %v, stdout %q", res.Err(), res.Stdout())
		}
	}
	start := time.Now()
	run() // cold: compiles what the Go cache lacks
	cold := time.Since(start)
	for b.Loop() {
		run()
	}
	b.ReportMetric(float64(cold.Milliseconds()), "cold-ms")
}

// startBenchKernel installs the kernel in a temporary Jupyter directory and starts it in a
// temporary working directory, ready for cells.
func startBenchKernel(b *testing.B) *jupyter.Kernel {
	inst := kerneltest.Install(b)
	spec, err := jupyter.ReadKernelSpec(inst.SpecDir)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	k, err := jupyter.StartKernel(ctx, spec, jupyter.StartOptions{Dir: b.TempDir(), Env: inst.Env})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := k.Client.WaitReady(ctx); err != nil {
		k.Close()
		b.Fatal(err)
	}
	return k
}

// BenchmarkInterrupt measures interrupt_request to the end of an endless cell.
func BenchmarkInterrupt(b *testing.B) {
	ctx := context.Background()
	k := startBenchKernel(b)
	defer k.Close()
	for b.Loop() {
		b.StopTimer()
		started := make(chan struct{})
		done := make(chan error, 1)
		go func() {
			var once bool
			_, err := k.Client.Execute(ctx, "%%\nfmt.Println(\"looping\")\nfor { time.Sleep(time.Millisecond) }",
				jupyter.ExecuteOptions{OnOutput: func(o jupyter.Output) {
					if !once && o.Type == "stream" {
						once = true
						close(started)
					}
				}})
			done <- err
		}()
		<-started
		b.StartTimer()
		if err := k.Client.Interrupt(ctx); err != nil {
			b.Fatal(err)
		}
		if err := <-done; err != nil {
			b.Fatal(err)
		}
	}
}
