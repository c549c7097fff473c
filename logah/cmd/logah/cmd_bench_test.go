package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/logah-go/logah/logah/trainer"
)

// TestBenchQuickGraphs runs the graph rows of "logah bench --quick" and checks the machine lines
// and the table.
func TestBenchQuickGraphs(t *testing.T) {
	code, out, errOut := runCLI("bench", "--quick", "--only", "graphs")
	if code != 0 {
		t.Fatalf("code %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 5 {
		t.Fatalf("want 2 machine lines, a header and 2 rows, got:\n%s", out)
	}
	if !strings.HasPrefix(lines[0], "machine: ") || !strings.Contains(lines[0], "CPUs") {
		t.Errorf("machine line: %q", lines[0])
	}
	if !strings.HasPrefix(lines[1], "build: ") || !strings.Contains(lines[1], "GOEXPERIMENT simd o") || !strings.Contains(lines[1], "backend ") {
		t.Errorf("build line: %q", lines[1])
	}
	lines = lines[1:]
	for _, want := range []string{"what", "size / config", "time", "peak memory"} {
		if !strings.Contains(lines[1], want) {
			t.Errorf("header %q lacks %q", lines[1], want)
		}
	}
	if !strings.Contains(lines[2], "vits1k: 50 ViTs") || !strings.Contains(lines[2], "ms/graph") {
		t.Errorf("vits1k row: %q", lines[2])
	}
	if !strings.Contains(lines[3], "GPT-2 XL: 629 nodes") || !strings.Contains(lines[3], " ms") {
		t.Errorf("GPT-2 XL row: %q", lines[3])
	}
	if strings.Contains(out, "error:") || strings.Contains(out, "GHN") {
		t.Errorf("unexpected rows:\n%s", out)
	}
}

func TestBenchUsageErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"bench", "--only", "graphs,gpu"}, `--only: unknown row group "gpu": use a comma-separated list of graphs, predict, ghn-train, target-train`},
		{[]string{"bench", "--only", "notebook"}, "-bench 'KernelStart|CellImport' -benchtime 10x ./kernel/internal/jupyter"},
		{[]string{"bench", "--only", " , "}, "--only: no row group given"},
		{[]string{"bench", "extra"}, "unexpected arguments"},
	} {
		code, out, errOut := runCLI(c.args...)
		if code != 2 || !strings.Contains(errOut, c.want) || out != "" {
			t.Errorf("%v: code %d, stderr %q, stdout %q", c.args, code, errOut, out)
		}
	}
}

// TestBenchReadsPeakMemoryOfPredict checks the pattern against the line "logah predict" prints.
func TestBenchReadsPeakMemoryOfPredict(t *testing.T) {
	line := "gpt2(L36 …): 436 tensors, 774,030,080 parameters → x.safetensors (8.4 s, peak memory 651 MB)\n"
	if m := peakMemoryRE.FindStringSubmatch(line); m == nil || m[1] != "651" {
		t.Fatalf("match %v", m)
	}
}

// TestBenchTimeSteps checks that timeSteps leaves out the warm-up steps, stops the run once the
// budget is spent, and leaves out the evaluating last step of a run that ends by itself.
func TestBenchTimeSteps(t *testing.T) {
	fake := func(stepTimes ...time.Duration) trainFunc {
		return func(ctx context.Context, steps int, progress func(trainer.Progress)) error {
			var elapsed time.Duration
			for s := 1; s <= steps; s++ {
				if err := ctx.Err(); err != nil {
					return fmt.Errorf("interrupted at step %d: %w", s-1, err)
				}
				elapsed += stepTimes[min(s-1, len(stepTimes)-1)]
				progress(trainer.Progress{Step: s, Elapsed: elapsed})
			}
			return nil
		}
	}
	ms := time.Millisecond
	d, n, err := timeSteps(1, budget{2, 10, 25 * ms}, fake(time.Second, 10*ms, 12*ms, 11*ms, 13*ms))
	if err != nil || d != 11*ms || n != 3 {
		t.Errorf("budget: %v over %d steps, %v; want 11ms over 3", d, n, err)
	}
	d, n, err = timeSteps(2, budget{3, 3, 0}, fake(time.Second, time.Second, 10*ms, 10*ms, 10*ms, time.Second))
	if err != nil || d != 10*ms || n != 3 {
		t.Errorf("max: %v over %d steps, %v; want 10ms over 3", d, n, err)
	}
	short := func(ctx context.Context, steps int, progress func(trainer.Progress)) error {
		return fake(time.Second, 10*ms, 20*ms, 5*time.Second)(ctx, 4, progress)
	}
	d, n, err = timeSteps(1, budget{5, 10, time.Minute}, short)
	if err != nil || d != 15*ms || n != 2 {
		t.Errorf("run ending by itself: %v over %d steps, %v; want 15ms over 2", d, n, err)
	}
	if _, _, err := timeSteps(3, once, short); err == nil {
		t.Error("too few steps: no error")
	}
}
