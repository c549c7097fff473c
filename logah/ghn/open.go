package ghn

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/gomlx/compute"

	"github.com/logah-go/logah/logah/checkpoint"
	"github.com/logah-go/logah/logah/params"
)

// FileName is the hypernetwork file of a directory written by `logah train-ghn` (at the end of
// training), `logah convert` or `logah init-ghn`.
const FileName = "ghn.safetensors"

// CheckpointKind is the Kind of the training checkpoints of a hypernetwork (package
// checkpoint). Their Config is a JSON object holding the hypernetwork's [Config] under "ghn",
// and their tensors hold its weights under "param/<name>" (checkpoint.ParamPrefix).
const CheckpointKind = "ghn"

// Open loads a hypernetwork from any of the forms LoGAH Lab reads; it is the one way to open
// one (the command line and the notebooks' logah.LoadGHN call it):
//
//   - a directory written by `logah train-ghn`, `logah convert` or `logah init-ghn`: its
//     ghn.safetensors, or, for a training run that has not written that file yet (stopped, or
//     still running), the hypernetwork of its newest intact checkpoint in DIR/ckpt (a damaged
//     newest checkpoint is skipped with a warning on checkpoint.Warnings);
//   - a .safetensors file written by [GHN.Save] (the configuration is in its metadata);
//   - a .safetensors state_dict without metadata, with the configuration as JSON in a file of
//     the same name ending in .json (e.g. ghn.safetensors + ghn.json);
//   - a .pt / .pth checkpoint of the authors' training scripts (docs/method.md §7).
//
// [GHN.Origin] says which file was read, and for a checkpoint its step.
func Open(path string, backend compute.Backend) (*GHN, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("hypernetwork: %w", err)
	}
	var m *GHN
	origin := Origin{File: path}
	switch {
	case st.IsDir():
		file := filepath.Join(path, FileName)
		if _, err := os.Stat(file); errors.Is(err, fs.ErrNotExist) {
			return openRunCheckpoint(path, backend)
		}
		origin.File = file
		m, err = openSafetensors(file, backend)
	default:
		switch ext := strings.ToLower(filepath.Ext(path)); ext {
		case ".pt", ".pth":
			cfg, set, rerr := readTorch(path)
			if rerr != nil {
				return nil, rerr
			}
			m, err = New(cfg, set, backend)
		case ".safetensors":
			m, err = openSafetensors(path, backend)
		default:
			return nil, fmt.Errorf("hypernetwork %s: unknown file type %q: give a directory written by `logah train-ghn` or `logah convert`, a .safetensors or a .pt file", path, ext)
		}
	}
	if err != nil {
		return nil, err
	}
	m.origin = origin
	return m, nil
}

// Origin says where [Open] found a hypernetwork.
type Origin struct {
	// File is the file the weights were read from ("" for a hypernetwork built by [New]).
	File string
	// RunDir is the training run directory whose checkpoint File is, when the run had not
	// written ghn.safetensors; "" otherwise.
	RunDir string
	// Step is that checkpoint's training step.
	Step int
}

// IsCheckpoint reports whether the hypernetwork is a training run's checkpoint rather than
// its final ghn.safetensors (or another finished file).
func (o Origin) IsCheckpoint() bool { return o.RunDir != "" }

// String describes the origin: "the checkpoint of step 1200 in DIR", the file's path, or
// "built in memory".
func (o Origin) String() string {
	switch {
	case o.IsCheckpoint():
		return fmt.Sprintf("the checkpoint of step %d in %s", o.Step, o.RunDir)
	case o.File != "":
		return o.File
	}
	return "built in memory"
}

// Origin says where [Open] found the hypernetwork (the zero Origin for one built by [New]).
func (m *GHN) Origin() Origin { return m.origin }

// openSafetensors reads a file written by [GHN.Save], or a bare state_dict with its
// configuration in a .json file beside it.
func openSafetensors(path string, backend compute.Backend) (*GHN, error) {
	f, err := params.Open(path)
	if err != nil {
		return nil, err
	}
	raw, ok := f.Metadata()[ConfigMetadataKey]
	f.Close()
	source := path
	if !ok {
		sidecar := strings.TrimSuffix(path, filepath.Ext(path)) + ".json"
		data, err := os.ReadFile(sidecar)
		if err != nil {
			return nil, fmt.Errorf("%s: no %q metadata and no configuration file %s beside it: write the hypernetwork's configuration (ghn.Config as JSON) to %s", path, ConfigMetadataKey, sidecar, sidecar)
		}
		raw, source = string(data), sidecar
	}
	cfg, err := ParseConfig([]byte(raw))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	set, err := readWeights(cfg, path)
	if err != nil {
		return nil, err
	}
	return New(cfg, set, backend)
}

// openRunCheckpoint rebuilds the hypernetwork of the newest intact checkpoint of a training run
// directory (dir/ckpt). Tensors the training does not update (placeholders) are zeros if the
// checkpoint lacks them.
func openRunCheckpoint(dir string, backend compute.Backend) (*GHN, error) {
	ckptDir := filepath.Join(dir, checkpoint.DirName)
	ck, err := checkpoint.Load(ckptDir)
	if errors.Is(err, checkpoint.ErrNone) {
		return nil, fmt.Errorf("hypernetwork: %s has no %s and no checkpoint in %s: give a directory written by `logah train-ghn` (once it has saved a checkpoint), `logah convert` or `logah init-ghn`, or a .safetensors or .pt file", dir, FileName, ckptDir)
	}
	if err != nil {
		return nil, fmt.Errorf("hypernetwork: %s has no %s, and its checkpoints: %w", dir, FileName, err)
	}
	if ck.Kind != CheckpointKind {
		return nil, fmt.Errorf("hypernetwork: %s has no %s, and its checkpoint %s is a %q run's, not a hypernetwork's", dir, FileName, ck.File, ck.Kind)
	}
	var meta struct {
		GHN json.RawMessage `json:"ghn"`
	}
	if err := json.Unmarshal(ck.Config, &meta); err != nil || len(meta.GHN) == 0 {
		return nil, fmt.Errorf("hypernetwork: checkpoint %s has no hypernetwork configuration", ck.File)
	}
	cfg, err := ParseConfig(meta.GHN)
	if err != nil {
		return nil, fmt.Errorf("hypernetwork: checkpoint %s: %w", ck.File, err)
	}
	set := params.NewSet()
	for _, p := range cfg.Params() {
		var data []float32
		t, err := ck.Tensors.Get(checkpoint.ParamPrefix + p.Name)
		switch {
		case err == nil:
			data = append(data, t.Float32s()...)
		case p.Used:
			return nil, fmt.Errorf("hypernetwork: checkpoint %s: %w", ck.File, err)
		default:
			data = make([]float32, p.Size())
		}
		if err := set.AddFloat32(p.Name, p.Shape, data); err != nil {
			return nil, err
		}
	}
	m, err := New(cfg, set, backend)
	if err != nil {
		return nil, fmt.Errorf("hypernetwork: checkpoint %s: %w", ck.File, err)
	}
	m.origin = Origin{File: ck.File, RunDir: dir, Step: ck.Step}
	return m, nil
}
