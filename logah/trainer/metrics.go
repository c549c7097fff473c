package trainer

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/logah-go/logah/internal/atomicfile"
)

// Record is one line of a metrics log: the step, the epoch (fractional while training) and
// named values (loss, accuracy, lr, grad_norm, …).
type Record struct {
	Step   int                `json:"step"`
	Epoch  float64            `json:"epoch"`
	Split  string             `json:"split"` // "train" or "eval"
	Values map[string]float64 `json:"values"`
	// Time is the seconds since this process started or resumed the run: it restarts at 0
	// when a run resumes from a checkpoint ([Elapsed] adds the segments up).
	Time float64 `json:"time_s"`
}

// Elapsed is the time a metrics log took: the sum, over its segments (a resumed run's Time
// restarts at 0), of each segment's last Time. Steps that an interruption lost and the resumed
// run made again count once, as the log keeps them once.
func Elapsed(recs []Record) float64 {
	total := 0.0
	for i, r := range recs {
		if i+1 == len(recs) || recs[i+1].Time < r.Time {
			total += r.Time
		}
	}
	return total
}

// MetricsLog appends records as JSON lines to a file.
type MetricsLog struct {
	f *os.File
}

// OpenMetricsLog opens (appending, so a resumed run continues the same file) a JSON-lines log.
func OpenMetricsLog(path string) (*MetricsLog, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("metrics log: %w", err)
	}
	return &MetricsLog{f: f}, nil
}

// Write appends one record.
func (l *MetricsLog) Write(r Record) error {
	if l == nil {
		return nil
	}
	data, err := json.Marshal(r)
	if err != nil {
		return err
	}
	_, err = l.f.Write(append(data, '\n'))
	return err
}

// Close closes the file.
func (l *MetricsLog) Close() error {
	if l == nil {
		return nil
	}
	return l.f.Close()
}

// ReadMetrics reads a JSON-lines metrics log, e.g. to plot a finished run.
func ReadMetrics(path string) ([]Record, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []Record
	start := 0
	for i := 0; i <= len(data); i++ {
		if i == len(data) || data[i] == '\n' {
			line := data[start:i]
			start = i + 1
			if len(line) == 0 {
				continue
			}
			var r Record
			if err := json.Unmarshal(line, &r); err != nil {
				return out, fmt.Errorf("%s: line %d: %w", path, len(out)+1, err)
			}
			out = append(out, r)
		}
	}
	return out, nil
}

// TruncateMetricsAfter rewrites a metrics log keeping only the records up to step (and
// dropping a torn last line), so that a run resumed from the checkpoint of that step continues
// a log identical to an uninterrupted run's. A missing file is not an error.
func TruncateMetricsAfter(path string, step int) error {
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	var kept []byte
	start := 0
	for i := 0; i < len(data); i++ {
		if data[i] != '\n' {
			continue
		}
		line := data[start : i+1]
		start = i + 1
		var r Record
		if json.Unmarshal(line, &r) == nil && r.Step <= step {
			kept = append(kept, line...)
		}
	}
	return atomicfile.WriteFile(path, kept)
}
