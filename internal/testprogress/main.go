// Command testprogress turns `go test -json` into go test's usual output plus progress, so that
// a long test run is never silent:
//
//	go test -json ./... | go run ./internal/testprogress
//
// It prints each package's closing line as go test does ("ok  \tpkg\t12.3s", "FAIL\tpkg"), the
// whole output of every failing test, the progress lines tests write themselves (lines that start
// with "nbrun: ", from the notebook runs), and every minute the tests that have been running for
// more than a minute. It exits 1 when a test or a package failed.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
	"time"
)

// event is one line of `go test -json` (cmd/test2json).
type event struct {
	Action  string
	Package string
	Test    string
	Output  string
}

type key struct{ pkg, test string }

// filter holds what is buffered between events.
type filter struct {
	out      io.Writer
	mu       sync.Mutex
	buffered map[key][]string  // output of running tests, printed if they fail
	running  map[key]time.Time // when each running test started
	failed   bool
}

func newFilter(out io.Writer) *filter {
	return &filter{out: out, buffered: map[key][]string{}, running: map[key]time.Time{}}
}

// handle processes one event.
func (f *filter) handle(e event) {
	f.mu.Lock()
	defer f.mu.Unlock()
	k := key{e.Package, e.Test}
	switch e.Action {
	case "run":
		f.running[k] = time.Now()
	case "output":
		line := e.Output
		switch {
		case strings.HasPrefix(strings.TrimSpace(line), "nbrun: "):
			fmt.Fprintf(f.out, "    %s", strings.TrimLeft(line, " \t"))
		case e.Test == "":
			// Package-level lines: keep go test's closing lines and build failures.
			if strings.HasPrefix(line, "ok  ") || strings.HasPrefix(line, "FAIL") || strings.HasPrefix(line, "?   ") ||
				strings.HasPrefix(line, "panic:") || strings.HasPrefix(line, "#") {
				fmt.Fprint(f.out, line)
			} else {
				f.buffered[k] = append(f.buffered[k], line)
			}
		default:
			f.buffered[k] = append(f.buffered[k], line)
		}
	case "pass", "skip":
		delete(f.buffered, k)
		delete(f.running, k)
	case "fail":
		f.failed = true
		delete(f.running, k)
		for _, l := range f.buffered[k] {
			fmt.Fprint(f.out, l)
		}
		delete(f.buffered, k)
	}
}

// remind prints the tests that have run longer than min.
func (f *filter) remind(min time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var lines []string
	for k, t := range f.running {
		if k.test == "" {
			continue
		}
		if d := time.Since(t); d >= min {
			lines = append(lines, fmt.Sprintf("    … %s %s running for %s\n", k.pkg, k.test, d.Round(time.Second)))
		}
	}
	sort.Strings(lines)
	for _, l := range lines {
		fmt.Fprint(f.out, l)
	}
}

func main() {
	f := newFilter(os.Stdout)
	stop := make(chan struct{})
	go func() {
		t := time.NewTicker(time.Minute)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				f.remind(time.Minute)
			}
		}
	}()
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1024*1024), 64*1024*1024)
	for sc.Scan() {
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			// Not an event (e.g. a build error printed by the go command): pass it through.
			fmt.Println(sc.Text())
			continue
		}
		f.handle(e)
	}
	close(stop)
	if f.failed {
		os.Exit(1)
	}
}
