// Package procmem reads this process's memory use, and the machine's, from /proc (Linux).
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
func PeakRSS() (int64, bool) { return kBField("/proc/self/status", "VmHWM") }

// RSS is the current resident set size of this process in bytes (VmRSS), and false where the
// system does not report it.
func RSS() (int64, bool) { return kBField("/proc/self/status", "VmRSS") }

// TotalMemory is the machine's memory in bytes (MemTotal in /proc/meminfo), and false where
// the system does not report it.
func TotalMemory() (int64, bool) { return kBField("/proc/meminfo", "MemTotal") }

// kBField returns a "kB" field of a /proc file (/proc/self/status, /proc/meminfo) in bytes.
func kBField(path, name string) (int64, bool) {
	data, err := os.ReadFile(path)
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
