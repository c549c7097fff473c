// Package machine describes the computer and the build a program runs on, for the tables that
// report measurements (`logah bench`, notebooks' logah.Hardware) and for `kernel doctor`: the
// CPU model and vector extensions, the core count and load, and whether the binary was built
// with GOEXPERIMENT=simd (which the Go backend needs to be fast).
package machine

import (
	"fmt"
	"os"
	"runtime"
	"strings"

	"golang.org/x/sys/cpu"
)

// CPUModel is the first "model name" of /proc/cpuinfo, or "unknown CPU" where there is none
// (other systems, some virtual machines).
func CPUModel() string {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

// VectorISA lists the vector extensions the Go backend's SIMD kernels use that this CPU has:
// "AVX-512", "AVX2" (none on other architectures).
func VectorISA() []string {
	var isa []string
	if cpu.X86.HasAVX512F {
		isa = append(isa, "AVX-512")
	}
	if cpu.X86.HasAVX2 {
		isa = append(isa, "AVX2")
	}
	return isa
}

// LoadAverage is the 1, 5 and 15-minute load average of /proc/loadavg ("1.93 2.22 3.32"), ""
// where it cannot be read.
func LoadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return ""
}

// OnOff is "on" or "off".
func OnOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// Summary is one line for result tables: CPU model, cores, OS/architecture, the compute
// backend's name and the SIMD build, e.g. "Intel(R) Xeon(R) Processor, 2 cores, linux/amd64,
// Go Backend, GOEXPERIMENT=simd on".
func Summary(backend string) string {
	return fmt.Sprintf("%s, %d cores, %s/%s, %s, GOEXPERIMENT=simd %s", CPUModel(), runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, backend, OnOff(SIMD))
}
