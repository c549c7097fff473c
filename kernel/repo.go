package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/logah-go/logah/internal/repo"
)

// findRepo returns the root of the LoGAH checkout: dir when given (it must hold the module),
// else the first directory holding it walking up from the current directory, else the
// parent of the directory of the running executable (bin/logah-kernel lives in <repo>/bin).
func findRepo(dir string) (string, error) {
	if dir != "" {
		abs, err := filepath.Abs(dir)
		if err != nil {
			return "", err
		}
		if !repo.IsRoot(abs) {
			return "", fmt.Errorf("%s is not a LoGAH checkout (no go.mod with module %s)", abs, repo.ModulePath)
		}
		return abs, nil
	}
	if root, err := repo.Root(); err == nil {
		return root, nil
	}
	if exe, err := os.Executable(); err == nil {
		if exe, err = filepath.EvalSymlinks(exe); err == nil {
			if d := filepath.Dir(filepath.Dir(exe)); repo.IsRoot(d) {
				return d, nil
			}
		}
	}
	return "", fmt.Errorf("cannot find the LoGAH checkout: run this from inside it (the directory with go.mod for %s) or pass --repo DIR", repo.ModulePath)
}
