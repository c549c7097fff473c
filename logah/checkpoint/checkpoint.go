package checkpoint

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/logah-go/logah/internal/atomicfile"
	"github.com/logah-go/logah/logah/params"
)

// Version is the version of the checkpoint layout written by [Save].
const Version = 1

// DirName is the directory of a run directory that holds its checkpoints (DIR/ckpt).
const DirName = "ckpt"

// ParamPrefix prefixes the names of the trained parameters among a checkpoint's tensors
// ("param/<name>").
const ParamPrefix = "param/"

// Checkpoint is the complete state of a training run: enough to resume it exactly.
type Checkpoint struct {
	// Kind says what is trained ("finetune" or "ghn").
	Kind string `json:"kind"`
	// Step is the number of optimisation steps done.
	Step int `json:"step"`
	// Config is the run's configuration (architecture, hyperparameters, seed), as JSON.
	Config json.RawMessage `json:"config"`
	// Extra holds run-specific numbers (e.g. the best accuracy so far).
	Extra map[string]float64 `json:"extra,omitempty"`
	// Tensors holds the trained parameters under "param/<name>" ([ParamPrefix]) and the rest of
	// the training state (for the trainer: the AdamW moments under "adam_m/<name>" and
	// "adam_v/<name>", and "rng").
	Tensors *params.Set `json:"-"`
	// File is the checkpoint file read by [Load].
	File string `json:"-"`
	// Warning, set by [Load], says which damaged checkpoint files it skipped and which one it
	// used instead; "" when the newest one was intact.
	Warning string `json:"-"`
}

// Matches reports whether ck was written by a run of this kind and configuration, the
// configurations compared as JSON values (spacing and key order do not matter): the condition
// for resuming from it.
func (ck *Checkpoint) Matches(kind string, config json.RawMessage) bool {
	if ck.Kind != kind {
		return false
	}
	var x, y any
	if json.Unmarshal(ck.Config, &x) != nil || json.Unmarshal(config, &y) != nil {
		return false
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return string(xa) == string(ya)
}

// latestFile is the pointer to the newest complete checkpoint of a directory.
const latestFile = "latest.json"

type latestRecord struct {
	Version int `json:"version"`
	Checkpoint
	File string `json:"file"`
}

// Save writes ck into dir without ever leaving a torn state: the tensors go to
// ckpt-<step>.safetensors (written to a temporary file and renamed), then latest.json is
// replaced atomically to point at it, then all but the newest keep checkpoint files are
// removed. A crash at any point leaves the previous checkpoint loadable.
func Save(dir string, ck *Checkpoint, keep int) error {
	if ck.Tensors == nil {
		return fmt.Errorf("checkpoint: no tensors to save")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	name := fmt.Sprintf("ckpt-%09d.safetensors", ck.Step)
	record, err := json.Marshal(ck)
	if err != nil {
		return err
	}
	if err := params.Save(filepath.Join(dir, name), ck.Tensors, map[string]string{"kind": ck.Kind, "step": fmt.Sprint(ck.Step), metaRecord: string(record)}); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	data, err := json.MarshalIndent(latestRecord{Version: Version, Checkpoint: *ck, File: name}, "", "  ")
	if err != nil {
		return err
	}
	if err := atomicfile.WriteFile(filepath.Join(dir, latestFile), data); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return pruneCheckpoints(dir, max(keep, 1))
}

// pruneCheckpoints removes all but the newest keep ckpt-*.safetensors files.
func pruneCheckpoints(dir string, keep int) error {
	matches, err := filepath.Glob(filepath.Join(dir, "ckpt-*.safetensors"))
	if err != nil {
		return err
	}
	sort.Strings(matches) // zero-padded steps sort numerically
	for i := 0; i < len(matches)-keep; i++ {
		if err := os.Remove(matches[i]); err != nil {
			return err
		}
	}
	return nil
}

// ErrNone is returned by [Load] when dir holds no checkpoint yet.
var ErrNone = errors.New("no checkpoint")

// Warnings receives the warnings of [Load] when it had to skip a damaged checkpoint (the
// damaged file and the one used instead); nil silences them.
var Warnings io.Writer = os.Stderr

// metaRecord is the safetensors metadata key holding a checkpoint's record (kind, step,
// config, extra), so that any checkpoint file can be resumed without latest.json.
const metaRecord = "checkpoint"

// Load reads the newest intact checkpoint of dir: the one latest.json names, or, when that
// file is damaged (truncated, unreadable) or latest.json itself is, the newest other
// ckpt-*.safetensors that loads. A fallback is written to [Warnings] and kept in the returned
// checkpoint's Warning (naming the damaged file and the one used); when every checkpoint is
// damaged the error lists them all. A dir without checkpoints (or no dir at all) is [ErrNone].
func Load(dir string) (*Checkpoint, error) {
	files, err := filepath.Glob(filepath.Join(dir, "ckpt-*.safetensors"))
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	sort.Sort(sort.Reverse(sort.StringSlice(files))) // newest first (zero-padded steps)
	var rec *latestRecord
	var damaged []string
	data, err := os.ReadFile(filepath.Join(dir, latestFile))
	switch {
	case os.IsNotExist(err):
		if len(files) == 0 {
			return nil, fmt.Errorf("%s: %w", dir, ErrNone)
		}
	case err != nil:
		damaged = append(damaged, fmt.Sprintf("%s (%v)", filepath.Join(dir, latestFile), err))
	default:
		var r latestRecord
		if err := json.Unmarshal(data, &r); err != nil {
			damaged = append(damaged, fmt.Sprintf("%s (corrupt: %v)", filepath.Join(dir, latestFile), err))
			break
		}
		if r.Version != Version {
			return nil, fmt.Errorf("checkpoint %s: layout version %d, this build reads version %d", dir, r.Version, Version)
		}
		if r.File == "" || strings.ContainsAny(r.File, `/\`) {
			damaged = append(damaged, fmt.Sprintf("%s (names no valid file)", filepath.Join(dir, latestFile)))
			break
		}
		rec = &r
		// The file latest.json names is tried first, then the others, newest first.
		named := filepath.Join(dir, r.File)
		rest := []string{named}
		for _, f := range files {
			if f != named {
				rest = append(rest, f)
			}
		}
		files = rest
	}
	for _, f := range files {
		ck, err := loadCheckpointFile(f, rec)
		if err != nil {
			damaged = append(damaged, fmt.Sprintf("%s (%v)", f, err))
			continue
		}
		if len(damaged) > 0 {
			ck.Warning = fmt.Sprintf("damaged checkpoint %s; using %s (step %d) instead", strings.Join(damaged, ", "), f, ck.Step)
			if Warnings != nil {
				fmt.Fprintln(Warnings, "warning: "+ck.Warning)
			}
		}
		return ck, nil
	}
	if len(damaged) == 0 {
		return nil, fmt.Errorf("%s: %w", dir, ErrNone)
	}
	return nil, fmt.Errorf("checkpoint %s: every checkpoint is damaged: %s: delete the directory to start over", dir, strings.Join(damaged, ", "))
}

// loadCheckpointFile reads one checkpoint file. Its record comes from its own metadata, or,
// for files written before the record was stored there, from latest.json's record (the
// configuration of a run does not change; the step comes from the file).
func loadCheckpointFile(path string, rec *latestRecord) (*Checkpoint, error) {
	set, meta, err := params.Load(path)
	if err != nil {
		return nil, err
	}
	var ck Checkpoint
	if raw, ok := meta[metaRecord]; ok {
		if err := json.Unmarshal([]byte(raw), &ck); err != nil {
			return nil, fmt.Errorf("corrupt %q metadata: %v", metaRecord, err)
		}
	} else {
		if rec == nil {
			return nil, fmt.Errorf("no %q metadata and no readable %s", metaRecord, latestFile)
		}
		ck = rec.Checkpoint
		if filepath.Base(path) != rec.File {
			step, err := strconv.Atoi(meta["step"])
			if err != nil {
				return nil, fmt.Errorf("no step in its metadata")
			}
			ck.Step, ck.Extra = step, nil
		}
	}
	ck.Tensors, ck.File = set, path
	return &ck, nil
}
