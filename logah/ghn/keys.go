package ghn

import (
	"fmt"

	"github.com/logah-go/logah/logah/arch"
	"github.com/logah-go/logah/logah/netgraph"
)

// KeyKind distinguishes the four decoder call shapes of docs/method.md §3.1.
type KeyKind int

// Key kinds.
const (
	// Key4D is (c_out, c_in, k_out, k_in): every ≥2-D weight except a ViT head, including the
	// ViT positional embedding (1, D, ⌊√S⌋, ⌊√S⌋).
	Key4D KeyKind = iota
	// KeyClassWeight is (C, D): the classification weight (ViT heads.head.weight).
	KeyClassWeight
	// Key1D is (c, 0): biases and LayerNorm weights (the LN bias comes with its weight).
	Key1D
	// KeyClassBias is (c, −1): the classification bias (ViT heads.head.bias).
	KeyClassBias
)

// Key groups the nodes decoded by one batched decoder call (docs/method.md §3.1). Dims holds the
// (rounded) sizes; only the first two are meaningful for the 2-element kinds.
type Key struct {
	Kind KeyKind
	Dims [4]int
}

// String prints the key as the reference's tuple, e.g. "(256, 64, 1, 1)", "(64, 0)",
// "(10, -1)" or "(10, 64)".
func (k Key) String() string {
	switch k.Kind {
	case Key4D:
		return fmt.Sprintf("(%d, %d, %d, %d)", k.Dims[0], k.Dims[1], k.Dims[2], k.Dims[3])
	case KeyClassWeight:
		return fmt.Sprintf("(%d, %d)", k.Dims[0], k.Dims[1])
	case Key1D:
		return fmt.Sprintf("(%d, 0)", k.Dims[0])
	default:
		return fmt.Sprintf("(%d, -1)", k.Dims[0])
	}
}

// roundChannels is the reference's min_sz: n ← min(n, M); if n is divisible by 3, n ← n/3·4;
// if n ≥ M/2, n ← M.
func roundChannels(n, m int) int {
	n = min(n, m)
	if n%3 == 0 {
		n = n / 3 * 4
	}
	if 2*n >= m {
		n = m
	}
	return n
}

// KeyFor returns the decoder key of a graph node with a parameter (docs/method.md §3.1, the
// reference's _map_net_params), with channel counts rounded against d_max.
func KeyFor(dMax int, node netgraph.Node) (Key, error) {
	sz := node.Shape
	r := func(i int) int { return roundChannels(sz[i], dMax) }
	switch {
	case len(sz) == 1 && node.LastBias:
		return Key{Kind: KeyClassBias, Dims: [4]int{r(0), -1}}, nil
	case len(sz) == 1:
		return Key{Kind: Key1D, Dims: [4]int{r(0), 0}}, nil
	case node.LastWeight && len(sz) >= 2:
		return Key{Kind: KeyClassWeight, Dims: [4]int{r(0), r(1)}}, nil
	case len(sz) == 2:
		return Key{Kind: Key4D, Dims: [4]int{r(0), r(1), 1, 1}}, nil
	case len(sz) == 3 && sz[0] == 1 && min(sz[1], sz[2]) > 1:
		s := isqrt(sz[1])
		return Key{Kind: Key4D, Dims: [4]int{1, sz[2], s, s}}, nil
	case len(sz) == 4:
		return Key{Kind: Key4D, Dims: [4]int{r(0), r(1), sz[2], sz[3]}}, nil
	}
	return Key{}, fmt.Errorf("node %q: parameter shape %v is not supported by the decoder", node.Param, sz)
}

// target is one tensor predicted for one architecture of a batch.
type target struct {
	arch  int       // index of the architecture in the batch
	name  string    // output name (the arch's parameter name)
	shape []int     // target shape
	role  arch.Role // what the tensor is (decides the normalisation)
	node  int       // graph node it is decoded from
	row   int       // row of the node embedding: arch·NMax + node
	slot  int       // 1-D keys: row 0 (norm weight) or 1 (bias) of the (2, c') output
	group int       // index of the decoder group
	// member is the node's position within its group.
	member int
}

// group is one batched decoder call: a key and the embedding rows it decodes.
type group struct {
	key  Key
	rows []int32
}

// plan says which decoder calls a batch needs and how each target is cut from them.
type plan struct {
	groups  []group
	targets []target // per architecture, in arch.Arch.Params() order (class_token excluded)
	perArch [][]int  // indices into targets, per architecture
}

// makePlan groups the parameter nodes of every graph by key (groups in order of first
// appearance) and lists the targets of every architecture in its Params() order.
func makePlan(cfg Config, b *netgraph.Batch) (*plan, error) {
	p := &plan{perArch: make([][]int, len(b.Graphs))}
	groupOf := map[Key]int{}
	for gi, g := range b.Graphs {
		specs := map[string]arch.ParamSpec{}
		for _, s := range g.Arch.Params() {
			specs[s.Name] = s
		}
		byName := map[string]target{}
		for ni, node := range g.Nodes {
			if node.Param == "" {
				continue
			}
			key, err := KeyFor(cfg.MaxShape, node)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", g.Arch, err)
			}
			if err := checkKey(cfg, key); err != nil {
				return nil, fmt.Errorf("%s: node %q: %w", g.Arch, node.Param, err)
			}
			gIdx, ok := groupOf[key]
			if !ok {
				gIdx = len(p.groups)
				groupOf[key] = gIdx
				p.groups = append(p.groups, group{key: key})
			}
			row := b.Row(gi, ni)
			member := len(p.groups[gIdx].rows)
			p.groups[gIdx].rows = append(p.groups[gIdx].rows, int32(row))

			name := node.Param
			if node.TiedTo != "" {
				name = node.TiedTo
			}
			spec, ok := specs[name]
			if !ok {
				return nil, fmt.Errorf("%s: graph node %q has no parameter %q in the architecture", g.Arch, node.Param, name)
			}
			role := spec.Role
			if node.TiedTo != "" {
				role = arch.RoleClassifier // the shared tensor sits in a Linear (lm_head): normalised as one
			}
			t := target{arch: gi, name: name, shape: spec.Shape, role: role, node: ni, row: row, group: gIdx, member: member}
			if len(spec.Shape) == 1 && role != arch.RoleNormWeight {
				t.slot = 1
			}
			byName[name] = t
			if node.AlsoPredicts != "" {
				bs, ok := specs[node.AlsoPredicts]
				if !ok {
					return nil, fmt.Errorf("%s: graph node %q yields %q, which the architecture lacks", g.Arch, node.Param, node.AlsoPredicts)
				}
				bt := t
				bt.name, bt.shape, bt.role, bt.slot = bs.Name, bs.Shape, bs.Role, 1
				byName[bt.name] = bt
			}
		}
		for _, s := range g.Arch.Params() {
			if s.Role == arch.RoleClassToken {
				continue
			}
			t, ok := byName[s.Name]
			if !ok {
				return nil, fmt.Errorf("%s: parameter %q has no node in the graph", g.Arch, s.Name)
			}
			p.perArch[gi] = append(p.perArch[gi], len(p.targets))
			p.targets = append(p.targets, t)
		}
	}
	return p, nil
}

// checkKey enforces the decoder's hard limits for a key (docs/method.md §3.3 item 6).
func checkKey(cfg Config, k Key) error {
	if cfg.Decoder != DecoderLoGAH {
		return nil
	}
	nA, nB := factorRows(k)
	if nA > cfg.MaxCK || nB > cfg.MaxCK {
		return fmt.Errorf("decoder key %s needs %d×%d low-rank rows but max_ck_lora is %d: raise max_ck_lora (16·max_shape covers 16×16 kernels)",
			k, nA, nB, cfg.MaxCK)
	}
	return nil
}

// factorRows is the number of rows of A and of Bᵀ a LoGAH decoder call uses for a key.
func factorRows(k Key) (nA, nB int) {
	switch k.Kind {
	case Key4D:
		return k.Dims[0] * k.Dims[2], k.Dims[1] * k.Dims[3]
	case KeyClassWeight:
		return k.Dims[0], k.Dims[1]
	default:
		return 2 * k.Dims[0], 1
	}
}
