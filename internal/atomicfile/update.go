package atomicfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// Update rewrites path atomically from its current content, while holding an exclusive lock
// on it: fn receives the content (nil when the file does not exist yet) and returns the new
// one. Processes that update the same file through Update take turns, so none loses what
// another wrote between its read and its write. The lock is a hidden file beside path
// (".NAME.lock", left in place); it is advisory (flock) and held only during fn and the write,
// and the operating system releases it if the process dies. Where flock is not available
// (not Unix) Update does not lock.
func Update(path string, fn func(old []byte) ([]byte, error)) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	unlock, err := lock(filepath.Join(dir, "."+filepath.Base(path)+".lock"))
	if err != nil {
		return err
	}
	defer unlock()
	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	data, err := fn(old)
	if err != nil {
		return err
	}
	return WriteFile(path, data)
}
