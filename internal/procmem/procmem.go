// Package procmem reads this process's memory use from /proc (Linux).
package procmem

import (
	"os"
	"strconv"
	"strings"
)

// PeakRSS is the peak resident set size of this process in bytes (VmHWM in
// /proc/self/status), and false where the system does not report it.
//
// Unlike the ru_maxrss a parent reads for its child, VmHWM belongs to this process's own
// address space: on Linux a child's ru_maxrss also counts the parent's resident memory at the
// time of the fork, so it overstates a child started by a large process.
func PeakRSS() (int64, bool) { return statusField("VmHWM") }

// statusField returns a "kB" field of /proc/self/status in bytes.
func statusField(name string) (int64, bool) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(string(data), "\n") {
		rest, ok := strings.CutPrefix(line, name+":")
		if !ok {
			continue
		}
		f := strings.Fields(rest) // "671436 kB"
		if len(f) != 2 || f[1] != "kB" {
			return 0, false
		}
		kb, err := strconv.ParseInt(f[0], 10, 64)
		return kb << 10, err == nil
	}
	return 0, false
}
