package procmem

import (
	"runtime"
	"testing"
)

func TestPeakRSSGrowsWithAllocation(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("VmHWM is Linux-only")
	}
	before, ok := PeakRSS()
	if !ok || before <= 0 {
		t.Fatalf("PeakRSS = %d, %v", before, ok)
	}
	buf := make([]byte, 256<<20)
	for i := range buf {
		buf[i] = byte(i)
	}
	after, _ := PeakRSS()
	if after < before+200<<20 {
		t.Fatalf("peak RSS grew from %d to %d after touching 256 MiB", before, after)
	}
	runtime.KeepAlive(buf)
}
