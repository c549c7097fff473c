package netgraph

// computeDistances fills A, the degrees and the input distance from the real edges: a
// breadth-first search from every node over directed real edges, keeping path lengths
// 1 < d ≤ Cutoff as virtual edges (docs/method.md §1.6–1.7).
func (g *Graph) computeDistances() {
	n := len(g.Nodes)
	g.A = make([]int32, n*n)
	g.InDegree = make([]int, n)
	g.OutDegree = make([]int, n)
	adj := make([][]int, n)
	for _, e := range g.Edges {
		adj[e[0]] = append(adj[e[0]], e[1])
		g.OutDegree[e[0]]++
		g.InDegree[e[1]]++
	}
	dist := make([]int32, n)
	queue := make([]int, 0, n)
	for src := range n {
		for i := range dist {
			dist[i] = -1
		}
		dist[src] = 0
		queue = append(queue[:0], src)
		row := g.A[src*n : (src+1)*n]
		for head := 0; head < len(queue); head++ {
			u := queue[head]
			du := dist[u]
			if int(du) >= g.Cutoff {
				continue
			}
			for _, v := range adj[u] {
				if dist[v] < 0 {
					dist[v] = du + 1
					row[v] = du + 1
					queue = append(queue, v)
				}
			}
		}
	}
	g.InputDist = make([]int, n)
	for j := range n {
		g.InputDist[j] = int(g.A[j])
	}
}
