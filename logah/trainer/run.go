package trainer

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/logah-go/logah/logah/checkpoint"
)

// runFiles is the on-disk side of a training run: the metrics log and the checkpoints of
// OutDir, shared by fine-tuning and hypernetwork training.
type runFiles struct {
	kind    string
	ckptDir string
	config  json.RawMessage
	log     *MetricsLog
	start   time.Time
	records []Record
}

// openRun prepares OutDir (nothing when outDir is ""): with resume, the state continues from
// the latest checkpoint written by a run of the same configuration, and the metrics log is cut
// back to that step; without, the log starts empty.
func openRun(kind, outDir string, resume bool, config json.RawMessage, st *State) (*runFiles, error) {
	r := &runFiles{kind: kind, config: config, start: time.Now()}
	if outDir == "" {
		return r, nil
	}
	r.ckptDir = filepath.Join(outDir, checkpoint.DirName)
	metricsPath := filepath.Join(outDir, "metrics.jsonl")
	resumedAt := -1
	if resume {
		ck, err := checkpoint.Load(r.ckptDir)
		switch {
		case errors.Is(err, checkpoint.ErrNone):
		case err != nil:
			return nil, err
		default:
			if !ck.Matches(kind, config) {
				return nil, fmt.Errorf("resume: %s was written by a run with another configuration: use a new output directory or the same settings", r.ckptDir)
			}
			if err := st.Restore(ck.Tensors, ck.Step); err != nil {
				return nil, fmt.Errorf("resume: %w", err)
			}
			resumedAt = ck.Step
		}
	}
	if err := TruncateMetricsAfter(metricsPath, resumedAt); err != nil {
		return nil, err
	}
	log, err := OpenMetricsLog(metricsPath)
	if err != nil {
		return nil, err
	}
	r.log = log
	return r, nil
}

// record appends a metrics record (time-stamped) to the run's list and log.
func (r *runFiles) record(rec Record) error {
	rec.Time = time.Since(r.start).Seconds()
	r.records = append(r.records, rec)
	return r.log.Write(rec)
}

// checkpoint saves the training state, keeping the checkpointsKept newest checkpoints.
func (r *runFiles) checkpoint(st *State) error {
	if r.ckptDir == "" {
		return nil
	}
	set, err := st.Checkpoint()
	if err != nil {
		return err
	}
	return checkpoint.Save(r.ckptDir, &checkpoint.Checkpoint{Kind: r.kind, Step: st.Step, Config: r.config, Tensors: set}, checkpointsKept)
}

// interrupted saves a checkpoint and explains how to resume.
func (r *runFiles) interrupted(st *State, cause error) error {
	if err := r.checkpoint(st); err != nil {
		return errors.Join(cause, err)
	}
	return fmt.Errorf("%s interrupted at step %d (checkpoint saved; resume with the same output directory): %w", r.kind, st.Step, cause)
}

func (r *runFiles) close() error { return r.log.Close() }

// checkpointsKept is how many checkpoints a run keeps: the newest, and one more in case the
// newest is damaged (a crash while writing, a full disk).
const checkpointsKept = 2
