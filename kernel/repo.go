package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// modulePath is the module whose checkout the kernel serves.
const modulePath = "github.com/logah-go/logah"

// findRepo returns the root of the LoGAH checkout: dir when given (it must hold the module),
// else the first directory holding it walking up from the current directory, else the
// parent of the directory of the running executable (bin/logah-kernel lives in <repo>/bin).
func findRepo(dir string) (string, error) {
	if dir != "" {
		abs, err := filepath.Abs(dir)
		if err != nil {
			return "", err
		}
		if !isRepo(abs) {
			return "", fmt.Errorf("%s is not a LoGAH checkout (no go.mod with module %s)", abs, modulePath)
		}
		return abs, nil
	}
	if wd, err := os.Getwd(); err == nil {
		for d := wd; ; d = filepath.Dir(d) {
			if isRepo(d) {
				return d, nil
			}
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	if exe, err := os.Executable(); err == nil {
		if exe, err = filepath.EvalSymlinks(exe); err == nil {
			if d := filepath.Dir(filepath.Dir(exe)); isRepo(d) {
				return d, nil
			}
		}
	}
	return "", fmt.Errorf("cannot find the LoGAH checkout: run this from inside it (the directory with go.mod for %s) or pass --repo DIR", modulePath)
}

// isRepo reports whether dir/go.mod declares modulePath.
func isRepo(dir string) bool {
	f, err := os.Open(filepath.Join(dir, "go.mod"))
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if rest, ok := strings.CutPrefix(line, "module "); ok {
			return strings.Trim(strings.TrimSpace(rest), `"`) == modulePath
		}
	}
	return false
}
