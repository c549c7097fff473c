// Package graphcheck validates the weights handed to functional GoMLX graph builders (the
// target networks of logah/nets and the hypernetwork of logah/ghn) and turns panics raised
// while building a graph into errors, so public APIs return errors that name the tensor at
// fault instead of panicking.
package graphcheck

import (
	"fmt"
	"slices"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/graph"
)

// Spec is an expected weight: its name and shape.
type Spec struct {
	Name  string
	Shape []int
}

// Owner is what weights belong to (an architecture, a hypernetwork configuration): it names
// itself in errors and validates itself.
type Owner interface {
	fmt.Stringer
	Validate() error
}

// Weights validates owner, then verifies that nodes holds every spec with the right shape, that
// all share one float dtype and belong to one graph, and returns that graph and dtype. owner
// prefixes the errors. Extra entries of nodes are ignored.
func Weights(owner Owner, specs []Spec, nodes map[string]*graph.Node) (*graph.Graph, dtypes.DType, error) {
	if err := owner.Validate(); err != nil {
		return nil, dtypes.InvalidDType, err
	}
	var g *graph.Graph
	dtype := dtypes.InvalidDType
	first := ""
	for _, p := range specs {
		n := nodes[p.Name]
		if n == nil {
			return nil, dtypes.InvalidDType, fmt.Errorf("%s: weight %q (shape %v) is missing", owner, p.Name, p.Shape)
		}
		if !slices.Equal(n.Shape().Dimensions, p.Shape) {
			return nil, dtypes.InvalidDType, fmt.Errorf("%s: weight %q has shape %v, want %v", owner, p.Name, n.Shape().Dimensions, p.Shape)
		}
		if !n.DType().IsFloat() {
			return nil, dtypes.InvalidDType, fmt.Errorf("%s: weight %q has dtype %s, want a float dtype", owner, p.Name, n.DType())
		}
		if g == nil {
			g, dtype, first = n.Graph(), n.DType(), p.Name
			continue
		}
		if n.DType() != dtype {
			return nil, dtypes.InvalidDType, fmt.Errorf("%s: weight %q has dtype %s but %q has %s: all weights must share one dtype",
				owner, p.Name, n.DType(), first, dtype)
		}
		if n.Graph() != g {
			return nil, dtypes.InvalidDType, fmt.Errorf("%s: weight %q belongs to another graph than %q", owner, p.Name, first)
		}
	}
	return g, dtype, nil
}

// Get returns nodes[name] for a graph builder that checked nodes with [Weights] first, so a
// missing name is a programmer error: it panics with an error prefixed by pkg.
func Get(pkg string, nodes map[string]*graph.Node, name string) *graph.Node {
	n := nodes[name]
	if n == nil {
		panic(fmt.Errorf("%s: weight %q missing (internal error: weights were validated)", pkg, name))
	}
	return n
}

// Catch runs fn and converts a panic raised while building a graph into an error prefixed by
// what.
func Catch(what string, fn func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(error); ok {
				err = fmt.Errorf("%s: %w", what, e)
			} else {
				err = fmt.Errorf("%s: %v", what, r)
			}
		}
	}()
	fn()
	return nil
}
