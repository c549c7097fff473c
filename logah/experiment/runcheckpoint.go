package experiment

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"

	"github.com/logah-go/logah/internal/atomicfile"
	"github.com/logah-go/logah/internal/filename"
	"github.com/logah-go/logah/logah/params"
	"github.com/logah-go/logah/logah/trainer"
)

// runCheckpoint is the directory in which one run of a comparison keeps its trainer checkpoints
// and metrics log while it runs (Comparison.CheckpointDir), so that a comparison interrupted in
// the middle of a long run continues that run where its last checkpoint left it.
type runCheckpoint struct {
	dir string
	// ident is what the directory must have been started with for its checkpoints to be
	// continued: the run's key, its protocol and a digest of its initial parameters.
	ident runIdent
}

// runIdent is written to a run's checkpoint directory as run.json.
type runIdent struct {
	Arch     string   `json:"arch"`
	Init     string   `json:"init"`
	Seed     uint64   `json:"seed"`
	Protocol Protocol `json:"protocol"`
	// Initial is the SHA-256 of the initial parameters (names, shapes and float32 values), so
	// that a hypernetwork replaced under the same initialisation name is not continued.
	Initial string `json:"initial_sha256"`
}

// runIdentFile is the name of a run checkpoint directory's identity file.
const runIdentFile = "run.json"

// newRunCheckpoint names the directory of run in c.CheckpointDir ("" when c has none).
func (c Comparison) newRunCheckpoint(run Run, init *params.Set) *runCheckpoint {
	if c.CheckpointDir == "" {
		return nil
	}
	name := fmt.Sprintf("%s-%s-seed%d", filename.Safe(run.Arch, '_'), filename.Safe(run.Init, '_'), run.Seed)
	return &runCheckpoint{
		dir:   filepath.Join(c.CheckpointDir, name),
		ident: runIdent{Arch: run.Arch, Init: run.Init, Seed: run.Seed, Protocol: run.Protocol, Initial: paramsDigest(init)},
	}
}

// prepare readies the directory for the trainer. With resume, a directory started by the same
// run is kept, so the trainer continues from its checkpoint; one started by another run (another
// protocol, other initial parameters) is an error that says what to do. Without resume, any
// earlier attempt of the run is removed and the run starts over.
func (rc *runCheckpoint) prepare(resume bool) error {
	identPath := filepath.Join(rc.dir, runIdentFile)
	if resume {
		data, err := os.ReadFile(identPath)
		switch {
		case errors.Is(err, fs.ErrNotExist): // a new run, or one that never wrote a checkpoint
		case err != nil:
			return err
		default:
			var was runIdent
			if err := json.Unmarshal(data, &was); err != nil {
				return fmt.Errorf("%s: not a run checkpoint's identity (%v): remove %s to start the run over", identPath, err, rc.dir)
			}
			if was != rc.ident {
				return fmt.Errorf("%s holds a checkpoint of %s, %s, seed %d under protocol %v with initial parameters %.12s…, not of this run (protocol %v, initial parameters %.12s…): "+
					"remove it to start the run over, or give the comparison another checkpoint directory",
					rc.dir, was.Arch, was.Init, was.Seed, was.Protocol, was.Initial, rc.ident.Protocol, rc.ident.Initial)
			}
			return nil
		}
	}
	if err := os.RemoveAll(rc.dir); err != nil {
		return err
	}
	if err := os.MkdirAll(rc.dir, 0o755); err != nil {
		return err
	}
	data, err := json.MarshalIndent(rc.ident, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(identPath, append(data, '\n'))
}

// evalCurve is the run's evaluations as its metrics log holds them across every session that
// worked on it (a resumed trainer returns only its own session's records). An evaluation
// logged twice at one step (a run resumed from its final checkpoint evaluates its end again)
// counts once, the later.
func (rc *runCheckpoint) evalCurve() ([]trainer.Record, error) {
	recs, err := trainer.ReadMetrics(filepath.Join(rc.dir, "metrics.jsonl"))
	if err != nil {
		return nil, err
	}
	var curve []trainer.Record
	for _, r := range recs {
		if r.Split != "eval" {
			continue
		}
		if n := len(curve); n > 0 && curve[n-1].Step == r.Step {
			curve[n-1] = r
			continue
		}
		curve = append(curve, r)
	}
	return curve, nil
}

// remove deletes the directory once the run is safe in the comparison's results file.
func (rc *runCheckpoint) remove() error { return os.RemoveAll(rc.dir) }

// paramsDigest is the hex SHA-256 of a parameter set's names, shapes and float32 values, in
// the set's order.
func paramsDigest(set *params.Set) string {
	h := sha256.New()
	var buf [8]byte
	for t := range set.All() {
		h.Write([]byte(t.Name()))
		h.Write([]byte{0})
		for _, d := range t.Shape() {
			binary.LittleEndian.PutUint64(buf[:], uint64(d))
			h.Write(buf[:])
		}
		for _, v := range t.Float32s() {
			binary.LittleEndian.PutUint32(buf[:4], math.Float32bits(v))
			h.Write(buf[:4])
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}
