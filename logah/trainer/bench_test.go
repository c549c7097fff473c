package trainer

import (
	"context"
	"fmt"
	"testing"

	"github.com/logah-go/logah/datasets"
	"github.com/logah-go/logah/logah/arch"
	"github.com/logah-go/logah/logah/backend"
	"github.com/logah-go/logah/logah/ghn"
)

// BenchmarkTrainGHNStep measures hypernetwork training steps of LoGAH-Tiny scaled to the CPU
// (d_max 512) on vits-mini ViTs, batch 64, for meta-batches of 1 and 4. The architectures
// cycle through a fixed list of 4 so that compiled graphs are reused (as they are once a run
// has seen an architecture); the first steps, which compile, are excluded by a warm-up.
//
//	GOEXPERIMENT=simd go test ./logah/trainer -run '^$' -bench TrainGHNStep -benchtime 4x
func BenchmarkTrainGHNStep(b *testing.B) {
	fam, _ := arch.FamilyByName("vits-mini")
	archs := fam.Sample(11, 4)
	cfg := ghn.LoGAHTiny(ghn.VariantViT, 10)
	cfg.MaxShape, cfg.MaxCK = 512, 16*512
	for _, m := range []int{1, 4} {
		b.Run(fmt.Sprintf("m=%d", m), func(b *testing.B) {
			task, err := NewImageTask(datasets.Noise(64*8, 1), datasets.Noise(64, 1), 64, 1)
			if err != nil {
				b.Fatal(err)
			}
			init, err := ghn.Init(cfg, 1)
			if err != nil {
				b.Fatal(err)
			}
			// One run per iteration: warm-up steps compile the graphs of the 4 architectures,
			// then the steady-state steps are timed through the progress callback.
			const warm, timed = 12, 8
			for b.Loop() {
				var t0, t1 float64
				tc := DefaultGHNTrain("")
				tc.Archs, tc.MetaBatch, tc.Steps, tc.CacheSize = archs, m, warm+timed, 16
				_, err := TrainGHN(context.Background(), backend.MustDefault(), cfg, init, task, tc, func(p Progress) {
					switch p.Step {
					case warm:
						t0 = p.Elapsed.Seconds()
					case warm + timed:
						t1 = p.Elapsed.Seconds()
					}
				})
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(1000*(t1-t0)/timed, "ms/step")
			}
		})
	}
}
