package trainer

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/logah-go/logah/internal/atomicfile"
	"github.com/logah-go/logah/logah/params"
)

// CheckpointVersion is the version of the checkpoint layout written by [SaveCheckpoint].
const CheckpointVersion = 1

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
	// Tensors holds the trained parameters under "param/<name>" and the AdamW moments under
	// "adam_m/<name>" and "adam_v/<name>".
	Tensors *params.Set `json:"-"`
}

// latestFile is the pointer to the newest complete checkpoint of a directory.
const latestFile = "latest.json"

type latestRecord struct {
	Version int `json:"version"`
	Checkpoint
	File string `json:"file"`
}

// SaveCheckpoint writes ck into dir without ever leaving a torn state: the tensors go to
// ckpt-<step>.safetensors (written to a temporary file and renamed), then latest.json is
// replaced atomically to point at it, then all but the newest keep checkpoint files are
// removed. A crash at any point leaves the previous checkpoint loadable.
func SaveCheckpoint(dir string, ck *Checkpoint, keep int) error {
	if ck.Tensors == nil {
		return fmt.Errorf("checkpoint: no tensors to save")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	name := fmt.Sprintf("ckpt-%09d.safetensors", ck.Step)
	if err := params.Save(filepath.Join(dir, name), ck.Tensors, map[string]string{"kind": ck.Kind, "step": fmt.Sprint(ck.Step)}); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	data, err := json.MarshalIndent(latestRecord{Version: CheckpointVersion, Checkpoint: *ck, File: name}, "", "  ")
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

// ErrNoCheckpoint is returned by [LoadCheckpoint] when dir holds no checkpoint yet.
var ErrNoCheckpoint = errors.New("no checkpoint")

// LoadCheckpoint reads the newest complete checkpoint of dir.
func LoadCheckpoint(dir string) (*Checkpoint, error) {
	data, err := os.ReadFile(filepath.Join(dir, latestFile))
	if os.IsNotExist(err) {
		return nil, fmt.Errorf("%s: %w", dir, ErrNoCheckpoint)
	}
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	var rec latestRecord
	if err := json.Unmarshal(data, &rec); err != nil {
		return nil, fmt.Errorf("checkpoint %s: corrupt %s (%v): delete the directory to start over", dir, latestFile, err)
	}
	if rec.Version != CheckpointVersion {
		return nil, fmt.Errorf("checkpoint %s: layout version %d, this build reads version %d", dir, rec.Version, CheckpointVersion)
	}
	if rec.File == "" || strings.ContainsAny(rec.File, `/\`) {
		return nil, fmt.Errorf("checkpoint %s: %s names no valid file", dir, latestFile)
	}
	set, _, err := params.Load(filepath.Join(dir, rec.File))
	if err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w", dir, err)
	}
	ck := rec.Checkpoint
	ck.Tensors = set
	return &ck, nil
}
