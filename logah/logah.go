// Package logah is the one import a notebook needs for the common path of LoGAH Lab: load a
// hypernetwork, predict the parameters of a ViT or GPT-2, and fine-tune the network from them.
// It is a thin facade over the packages that do the work:
//
//	arch        ViT / GPT-2 / Llama configurations, named models, families
//	netgraph    the computational graph a hypernetwork reads
//	ghn         the hypernetwork (Graphormer encoder, LoGAH and GHN-3 decoders)
//	params      named tensors and safetensors files
//	nets        differentiable ViT / GPT-2 / Llama forward passes
//	trainer     fine-tuning and hypernetwork training loops
//	experiment  whole runs as one configuration value each (train-ghn, finetune, compare)
//
// Training a hypernetwork, a fine-tuning run with its data and initialisation, and comparisons
// are assembled in one place, package experiment, which the command line uses too.
//
// A minimal session:
//
//	g, _ := logah.LoadGHN(logah.PretrainedGHN())
//	a, _ := logah.Arch("vit-mini") // depth 4, width 64, patch 4, 28×28×1
//	p, _ := logah.Predict(g, a)
//	task, _ := logah.ImageTask("fashion-mnist", 64, 1)
//	res, _ := logah.FineTune(ctx, a, p, task, trainer.DefaultFineTune(), nil)
package logah

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gomlx/compute"

	"github.com/logah-go/logah/datasets"
	"github.com/logah-go/logah/internal/machine"
	"github.com/logah-go/logah/internal/repo"
	"github.com/logah-go/logah/logah/arch"
	"github.com/logah-go/logah/logah/backend"
	"github.com/logah-go/logah/logah/ghn"
	"github.com/logah-go/logah/logah/params"
	"github.com/logah-go/logah/logah/trainer"
)

// Backend is the compute backend everything runs on (see package backend: the pure-Go
// backend by default, XLA with GOMLX_BACKEND=xla:… in xla builds).
func Backend() compute.Backend { return backend.MustDefault() }

// Arch returns a named model ("vit-s", "gpt2-large", …) or the configuration in a JSON file
// (see arch.Resolve).
func Arch(nameOrJSON string) (arch.Arch, error) { return arch.Resolve(nameOrJSON) }

// LoadGHN opens a hypernetwork with ghn.Open: a directory written by `logah train-ghn` (its
// ghn.safetensors, or the latest checkpoint of a run that has not written it yet; g.Origin()
// says which) or `logah convert`, a .safetensors file, or an authors' PyTorch .pt checkpoint.
func LoadGHN(path string) (*ghn.GHN, error) { return ghn.Open(path, Backend()) }

// Predict predicts every parameter of a (PyTorch names; a ViT's class-token slot noise is
// drawn with seed 1).
func Predict(g *ghn.GHN, a arch.Arch) (*params.Set, error) {
	return g.Predict(a, ghn.PredictOptions{Seed: 1})
}

// PredictToFile streams the prediction of a into a safetensors file, tensor by tensor, so
// models as large as GPT-2 Large never sit in memory whole.
func PredictToFile(g *ghn.GHN, a arch.Arch, path string) (ghn.FileReport, error) {
	return g.PredictToFile(a, path, ghn.PredictOptions{Seed: 1})
}

// RandomInit returns the parameters PyTorch would give a at construction (torchvision /
// Hugging Face initialisers), drawn with seed.
func RandomInit(a arch.Arch, seed uint64) (*params.Set, error) { return params.Init(a, seed) }

// ImageTask loads an image dataset ("fashion-mnist", "mnist", "cifar10", "cifar100") from its
// default location and prepares shuffled training batches and a test evaluation.
func ImageTask(dataset string, batchSize int, seed uint64) (*trainer.ImageTask, error) {
	train, err := datasets.Load(dataset, "", datasets.Train)
	if err != nil {
		return nil, err
	}
	test, err := datasets.Load(dataset, "", datasets.Test)
	if err != nil {
		return nil, err
	}
	return trainer.NewImageTask(train, test, batchSize, seed)
}

// FineTune trains a from init on task (see trainer.FineTune).
func FineTune(ctx context.Context, a arch.Arch, init *params.Set, task trainer.Task, cfg trainer.FineTuneConfig, progress func(trainer.Progress)) (*trainer.FineTuneResult, error) {
	return trainer.FineTune(ctx, Backend(), a, init, task, cfg, progress)
}

// PretrainedGHN is the path of the project's best pretrained ViT hypernetwork,
// Pretrained("vits-mini-fmnist-2h"): LoGAH-Tiny (d_max 512) trained for two hours of CPU on the
// vits-mini family and Fashion-MNIST, with eight architectures held out (held_out.json beside
// it; heldout-vit.json is one of them).
func PretrainedGHN() string { return Pretrained("vits-mini-fmnist-2h") }

// Pretrained is the path of the shipped hypernetwork name, a directory of logah/pretrained
// (whose README says how each was made): "vits-mini-fmnist-2h" (PretrainedGHN), the older
// "vits-mini-fmnist", and "gpts-mini-gosrc-2h" for byte-level GPT-2s of the gpts-mini family. It is found through $LOGAH_REPO (set by the notebook
// kernel) or by searching upwards from the working directory for this module.
func Pretrained(name string) string {
	return filepath.Join(RepoRoot(), "logah", "pretrained", name)
}

// RepoRoot is the root of this repository: $LOGAH_REPO (set by the notebook kernel), else the
// directory of go.mod found upwards from the working directory ("." if none). Notebooks keep
// their runs under RepoRoot()/runs.
func RepoRoot() string {
	if root := os.Getenv("LOGAH_REPO"); root != "" {
		return root
	}
	if root, err := repo.Root(); err == nil {
		return root
	}
	return "."
}

// RunsDir is where notebooks keep their training runs and results: $LOGAH_RUNS when set (the
// notebook tests point it at a temporary directory, so smoke runs leave the checkout as they
// found it), else RepoRoot()/runs.
func RunsDir() string {
	if dir := os.Getenv("LOGAH_RUNS"); dir != "" {
		return dir
	}
	return filepath.Join(RepoRoot(), "runs")
}

// Hardware describes this machine for result tables: CPU model, cores, OS/architecture, the
// compute backend and whether the binary was built with GOEXPERIMENT=simd.
func Hardware() string { return machine.Summary(Backend().Name()) }

// MustOK panics with a readable message when err is not nil: a convenience for notebook cells.
func MustOK(err error) {
	if err != nil {
		panic(fmt.Sprintf("logah: %v", err))
	}
}
