package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/logah-go/logah/logah/trainer"
)

// progressPrinter prints a progress line updated in place, and evaluations on their own line.
func progressPrinter(w io.Writer, quiet bool) func(trainer.Progress) {
	last := time.Time{}
	return func(p trainer.Progress) {
		if quiet {
			return
		}
		if p.Eval != nil {
			fmt.Fprintf(w, "\r\033[Kstep %d/%d (epoch %.2f): eval %s\n", p.Step, p.TotalSteps, p.Epoch, formatMetrics(p.Eval))
			return
		}
		if time.Since(last) < 200*time.Millisecond && p.Step != p.TotalSteps {
			return
		}
		last = time.Now()
		rate := float64(p.Step) / max(p.Elapsed.Seconds(), 1e-9)
		fmt.Fprintf(w, "\r\033[Kstep %d/%d  epoch %.2f  loss %.4f  lr %.2e  %.1f steps/s", p.Step, p.TotalSteps, p.Epoch, p.Loss, p.LR, rate)
	}
}

// formatMetrics writes metrics in name order: "accuracy 0.16, loss 2.272".
func formatMetrics(m map[string]float64) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %.4g", k, m[k])
	}
	return strings.Join(parts, ", ")
}
