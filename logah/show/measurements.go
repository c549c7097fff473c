package show

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Measurements is a two-column table (label, value) kept in a JSON file, so that several cells
// of a notebook, each a separate process, add their measurements to one summary a later cell
// shows.
type Measurements struct {
	// Path is the JSON file (a list of [label, value] pairs); its directory is made on Add.
	Path string
}

// Add appends rows to the file.
func (m Measurements) Add(rows ...[2]string) error {
	all, err := m.Rows()
	if err != nil {
		return err
	}
	data, err := json.Marshal(append(all, rows...))
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(m.Path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(m.Path, data, 0o644)
}

// Rows reads the rows added so far (none when the file does not exist yet).
func (m Measurements) Rows() ([][2]string, error) {
	data, err := os.ReadFile(m.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var rows [][2]string
	if err := json.Unmarshal(data, &rows); err != nil {
		return nil, fmt.Errorf("%s: not a list of [label, value] pairs: %w (delete it to start afresh)", m.Path, err)
	}
	return rows, nil
}

// Table is the rows added so far as a table with columns "measurement" and "value".
func (m Measurements) Table(title string) (*Table, error) {
	rows, err := m.Rows()
	if err != nil {
		return nil, err
	}
	t := NewTable(title, "measurement", "value")
	for _, r := range rows {
		t.Add(r[0], r[1])
	}
	return t, nil
}
