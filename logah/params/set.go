package params

import (
	"fmt"
	"iter"
	"slices"
	"strings"

	"github.com/logah-go/logah/logah/arch"
)

// Set is an ordered collection of named tensors: the parameters of one network, the output of
// a hypernetwork, or the contents of a safetensors file. Names are unique and keep the order in
// which they were added (for a file, the order of its header).
//
// A Set is not safe for concurrent modification; concurrent reads are fine.
type Set struct {
	names  []string
	byName map[string]*Tensor
}

// NewSet returns an empty set.
func NewSet() *Set { return &Set{byName: map[string]*Tensor{}} }

// Add appends a tensor. Adding a name that is already present is an error (use [Set.Replace]).
func (s *Set) Add(t *Tensor) error {
	if t == nil {
		return fmt.Errorf("params: Add: nil tensor")
	}
	if t.name == metadataKey {
		return fmt.Errorf("params: %q is reserved for safetensors metadata and cannot name a tensor", metadataKey)
	}
	if s.byName == nil {
		s.byName = map[string]*Tensor{}
	}
	if _, dup := s.byName[t.name]; dup {
		return fmt.Errorf("params: tensor %q is already in the set: use Replace to change it", t.name)
	}
	s.names = append(s.names, t.name)
	s.byName[t.name] = t
	return nil
}

// AddFloat32 appends an F32 tensor made from data (not copied) and shape.
func (s *Set) AddFloat32(name string, shape []int, data []float32) error {
	t, err := FromFloat32(name, shape, data)
	if err != nil {
		return err
	}
	return s.Add(t)
}

// Replace swaps the tensor of the same name for t, keeping its position. The new tensor may
// have another dtype or shape. Replacing a name that is not present is an error.
func (s *Set) Replace(t *Tensor) error {
	if t == nil {
		return fmt.Errorf("params: Replace: nil tensor")
	}
	if _, ok := s.byName[t.name]; !ok {
		return s.missing(t.name)
	}
	s.byName[t.name] = t
	return nil
}

// Remove deletes the named tensor and reports whether it was present.
func (s *Set) Remove(name string) bool {
	if _, ok := s.byName[name]; !ok {
		return false
	}
	delete(s.byName, name)
	s.names = slices.DeleteFunc(s.names, func(n string) bool { return n == name })
	return true
}

// Get returns the named tensor, or an error that lists what the set holds.
func (s *Set) Get(name string) (*Tensor, error) {
	if t, ok := s.byName[name]; ok {
		return t, nil
	}
	return nil, s.missing(name)
}

func (s *Set) missing(name string) error {
	return fmt.Errorf("params: no tensor %q in the set (it has %d: %s)", name, len(s.names), abbreviate(s.names, 6))
}

// Has reports whether the set holds the name.
func (s *Set) Has(name string) bool {
	_, ok := s.byName[name]
	return ok
}

// Names returns the tensor names in order (a copy).
func (s *Set) Names() []string { return slices.Clone(s.names) }

// Len is the number of tensors.
func (s *Set) Len() int { return len(s.names) }

// NumParams is the total number of scalars over all tensors.
func (s *Set) NumParams() int64 {
	var n int64
	for _, t := range s.byName {
		n += int64(t.Len())
	}
	return n
}

// NumBytes is the total size of the values in their dtypes (the data block of a safetensors
// file holding the set).
func (s *Set) NumBytes() int64 {
	var n int64
	for _, t := range s.byName {
		n += t.NumBytes()
	}
	return n
}

// All iterates over the tensors in order.
func (s *Set) All() iter.Seq[*Tensor] {
	return func(yield func(*Tensor) bool) {
		for _, name := range s.names {
			if !yield(s.byName[name]) {
				return
			}
		}
	}
}

// Subset returns a new set holding the named tensors (shared, not copied) in the given order.
func (s *Set) Subset(names ...string) (*Set, error) {
	out := NewSet()
	for _, name := range names {
		t, err := s.Get(name)
		if err != nil {
			return nil, err
		}
		if err := out.Add(t); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// CheckArch verifies that the set holds exactly the parameters of a: every name of a.Params()
// with its shape, and nothing else. The error lists every missing, extra and mis-shaped tensor
// (up to a few of each).
func (s *Set) CheckArch(a arch.Arch) error {
	var missing, wrong []string
	want := map[string]bool{}
	for _, p := range a.Params() {
		want[p.Name] = true
		t, ok := s.byName[p.Name]
		if !ok {
			missing = append(missing, p.Name)
			continue
		}
		if !slices.Equal(t.shape, p.Shape) {
			wrong = append(wrong, fmt.Sprintf("%s has shape %v, want %v", p.Name, t.shape, p.Shape))
		}
	}
	var extra []string
	for _, n := range s.names {
		if !want[n] {
			extra = append(extra, n)
		}
	}
	if len(missing)+len(wrong)+len(extra) == 0 {
		return nil
	}
	var parts []string
	if len(missing) > 0 {
		parts = append(parts, fmt.Sprintf("%d missing (%s)", len(missing), abbreviate(missing, 4)))
	}
	if len(wrong) > 0 {
		parts = append(parts, fmt.Sprintf("%d with the wrong shape (%s)", len(wrong), abbreviate(wrong, 4)))
	}
	if len(extra) > 0 {
		parts = append(parts, fmt.Sprintf("%d not in the architecture (%s)", len(extra), abbreviate(extra, 4)))
	}
	return fmt.Errorf("params: set does not match %s: %s", a, strings.Join(parts, "; "))
}

// abbreviate joins up to max items and says how many more there are.
func abbreviate(items []string, max int) string {
	if len(items) <= max {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s, ... and %d more", strings.Join(items[:max], ", "), len(items)-max)
}
