package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/logah-go/logah/logah"
)

// torchPython is Debian's interpreter, the one python3-torch installs into (the python3 on
// PATH may be another).
var torchPython = "/usr/bin/python3"

// torchBaseline is one PyTorch measurement a Go row is compared with.
type torchBaseline struct {
	key  string        // case name in the script's JSON ("ViT step", "m=1", …)
	best time.Duration // the faster of the thread settings tried
	desc string        // e.g. "2 threads"
}

// torchCase names the PyTorch equivalent of a Go row: which script and which of its cases.
type torchCase struct {
	script string // "train" (docs/bench/torch_train_steps.py) or "ghn" (authors_ghn_step.py)
	key    string
}

// torchRunner runs the PyTorch scripts once each and hands out their results.
type torchRunner struct {
	repo, authors string
	largeFile     string // the GPT-2 Large file for the forward row
	quick         bool
	log           func(format string, args ...any)
	done          map[string]torchResults // by torchCase.script, once run
}

// torchResults are one script's baselines by case name, or why it could not run.
type torchResults struct {
	byKey map[string]torchBaseline
	err   error
}

// baseline returns PyTorch's time for c, running its script on first use.
func (t *torchRunner) baseline(c torchCase) (torchBaseline, error) {
	res, ok := t.done[c.script]
	if !ok {
		switch c.script {
		case "train":
			res.byKey, res.err = t.runTrain()
		case "ghn":
			res.byKey, res.err = t.runGHN()
		case "gpt2fwd":
			res.byKey, res.err = t.runGPT2Forward()
		default:
			res.err = fmt.Errorf("unknown PyTorch script %q", c.script)
		}
		t.done[c.script] = res
	}
	if res.err != nil {
		return torchBaseline{}, res.err
	}
	b, ok := res.byKey[c.key]
	if !ok {
		return b, fmt.Errorf("the %s script reported no case %q", c.script, c.key)
	}
	return b, nil
}

// checkTorch reports why PyTorch cannot be run here, or nil.
func checkTorch() error {
	if _, err := os.Stat(torchPython); err != nil {
		return fmt.Errorf("%s not found (PyTorch comparisons use Debian's python3-torch)", torchPython)
	}
	if out, err := exec.Command(torchPython, "-c", "import torch").CombinedOutput(); err != nil {
		return fmt.Errorf("PyTorch is not installed for %s (apt-get install python3-torch): %s", torchPython, strings.TrimSpace(string(out)))
	}
	return nil
}

// runScript runs a benchmark script with extra environment and returns its JSON output file.
func (t *torchRunner) runScript(script string, env []string, args ...string) ([]byte, error) {
	if err := checkTorch(); err != nil {
		return nil, err
	}
	out, err := os.CreateTemp("", "logah-bench-torch-*.json")
	if err != nil {
		return nil, err
	}
	out.Close()
	defer os.Remove(out.Name())
	path := filepath.Join(t.repo, "docs", "bench", script)
	if !strings.HasSuffix(script, "torch_train_steps.py") {
		args = append(args, "--json", out.Name())
	} else {
		env = append(env, "BENCH_JSON="+out.Name())
	}
	cmd := exec.Command(torchPython, append([]string{path}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	t.log("logah bench: PyTorch: %s %s", script, strings.Join(args, " "))
	if msg, err := cmd.CombinedOutput(); err != nil {
		tail := strings.TrimSpace(string(msg))
		if len(tail) > 400 {
			tail = "…" + tail[len(tail)-400:]
		}
		return nil, fmt.Errorf("%s: %v: %s", script, err, tail)
	}
	return os.ReadFile(out.Name())
}

// runTrain times the target-network steps in PyTorch with 1 and 2 threads.
func (t *torchRunner) runTrain() (map[string]torchBaseline, error) {
	steps := "10"
	if t.quick {
		steps = "1"
	}
	data, err := t.runScript("torch_train_steps.py", []string{"BENCH_STEPS=" + steps})
	if err != nil {
		return nil, err
	}
	var res struct {
		Threads map[string]map[string]struct {
			MS float64 `json:"ms"`
		} `json:"threads"`
	}
	if err := json.Unmarshal(data, &res); err != nil {
		return nil, fmt.Errorf("torch_train_steps.py output: %v", err)
	}
	out := map[string]torchBaseline{}
	for threads, cases := range res.Threads {
		for name, c := range cases {
			d := time.Duration(c.MS * float64(time.Millisecond))
			if b, ok := out[name]; !ok || d < b.best {
				out[name] = torchBaseline{key: name, best: d, desc: threads + " thread(s)"}
			}
		}
	}
	return out, nil
}

// runGHN times the authors' own hypernetwork training step (their Trainer.update) with 1 and 2
// threads; it needs their code (docs/bench/authors_ghn_step.md says how to get it).
func (t *torchRunner) runGHN() (map[string]torchBaseline, error) {
	if t.authors == "" {
		return nil, fmt.Errorf("the authors' code is needed: --authors DIR (see docs/bench/authors_ghn_step.md)")
	}
	warm, steps := "4", "12"
	if t.quick {
		warm, steps = "1", "1"
	}
	out := map[string]torchBaseline{}
	for _, threads := range []string{"2", "1"} {
		data, err := t.runScript("authors_ghn_step.py", nil, "--authors", t.authors, "--m", "1,4",
			"--warmup", warm, "--steps", steps, "--threads", threads)
		if err != nil {
			return nil, err
		}
		var res struct {
			Steps map[string]struct {
				Median float64 `json:"median_s"`
			} `json:"steps"`
		}
		if err := json.Unmarshal(data, &res); err != nil {
			return nil, fmt.Errorf("authors_ghn_step.py output: %v", err)
		}
		for name, s := range res.Steps {
			d := time.Duration(s.Median * float64(time.Second))
			if b, ok := out[name]; !ok || d < b.best {
				out[name] = torchBaseline{key: name, best: d, desc: threads + " thread(s)"}
			}
		}
	}
	return out, nil
}

// runGPT2Forward reads the GPT-2 Large file and runs the forward in PyTorch, 1 and 2 threads.
func (t *torchRunner) runGPT2Forward() (map[string]torchBaseline, error) {
	if t.largeFile == "" {
		return nil, fmt.Errorf("no GPT-2 Large file (the prediction row did not run)")
	}
	var best torchBaseline
	for _, threads := range []string{"2", "1"} {
		data, err := t.runScript("torch_gpt2_forward.py", nil, t.largeFile, "--threads", threads)
		if err != nil {
			return nil, err
		}
		var res struct {
			Total float64 `json:"total_s"`
		}
		if err := json.Unmarshal(data, &res); err != nil {
			return nil, fmt.Errorf("torch_gpt2_forward.py output: %v", err)
		}
		d := time.Duration(res.Total * float64(time.Second))
		if best.best == 0 || d < best.best {
			best = torchBaseline{key: "total", best: d, desc: threads + " thread(s), read + forward"}
		}
	}
	return map[string]torchBaseline{"total": best}, nil
}

// compareWithTorch fills the PyTorch and ratio columns of the rows that have an equivalent.
func compareWithTorch(o *benchOpts, rows []benchRow) {
	t := &torchRunner{repo: logah.RepoRoot(), authors: o.authors, largeFile: o.largeFile, quick: o.quick,
		log:  func(f string, a ...any) { fmt.Fprintf(o.log, f+"\n", a...) },
		done: map[string]torchResults{}}
	for i := range rows {
		r := &rows[i]
		if r.torch == nil {
			continue
		}
		b, err := t.baseline(*r.torch)
		switch {
		case err != nil:
			r.torchTime = "skipped: " + oneLine(err)
		case r.dur == 0:
			r.torchTime = fmtDur(b.best) + " (" + b.desc + ")"
		default:
			r.torchTime = fmtDur(b.best) + " (" + b.desc + ")"
			r.ratio = fmt.Sprintf("%.2f×", r.dur.Seconds()/b.best.Seconds())
		}
	}
}
