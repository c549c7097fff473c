package show

import (
	"os"
	"runtime"
	"strings"

	"github.com/logah-go/logah/internal/machine"
	"github.com/logah-go/logah/internal/procmem"
	"github.com/logah-go/logah/logah/backend"
)

// MachineTable describes the machine a measurement runs on, one row per property: CPU, cores,
// memory, load average, compute backend, accelerator, Go version and SIMD build. Add rows for
// what is measured (the model, its size) before showing it.
func MachineTable(title string) *Table {
	t := NewTable(title, "", "")
	t.Add("CPU", machine.CPUModel())
	t.Add("cores (runtime.NumCPU)", runtime.NumCPU())
	if mem, ok := procmem.TotalMemory(); ok {
		t.Add("memory", Gigabytes(mem))
	} else {
		t.Add("memory", "unknown")
	}
	t.Add("load average (1, 5, 15 min)", orDefault(machine.LoadAverage(), "unknown"))
	t.Add("compute backend", backend.MustDefault().Description())
	t.Add("accelerator", accelerator(os.Getenv("GOMLX_BACKEND")))
	t.Add("Go", runtime.Version()+", GOEXPERIMENT=simd "+machine.OnOff(machine.SIMD))
	return t
}

// accelerator names the device GOMLX_BACKEND selects: an XLA plugin other than the CPU's, or
// none.
func accelerator(env string) string {
	switch {
	case env == "", env == "go", strings.HasPrefix(env, "go:"), env == "xla:cpu":
		return "none (GOMLX_BACKEND=" + orDefault(env, "go") + ")"
	}
	return "GOMLX_BACKEND=" + env
}
