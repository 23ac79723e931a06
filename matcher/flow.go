package matcher

import (
	"context"
)

// network is a flow network in residual form: arcs a and a^1 are the two
// directions of one edge, rcap is the residual capacity and cost[a^1] =
// −cost[a]. Node u's arcs are adj[adjOff[u]:adjOff[u+1]] once finish is called.
type network struct {
	n      int
	to     []int32
	rcap   []int64
	cost   []int64
	adjOff []int32
	adj    []int32
}

func newNetwork(n, arcs int) *network {
	return &network{
		n:    n,
		to:   make([]int32, 0, 2*arcs),
		rcap: make([]int64, 0, 2*arcs),
		cost: make([]int64, 0, 2*arcs),
	}
}

// addArc adds an edge u→v and returns the index of its forward arc.
func (g *network) addArc(u, v int, capacity, cost int64) int {
	a := len(g.to)
	g.to = append(g.to, int32(v), int32(u))
	g.rcap = append(g.rcap, capacity, 0)
	g.cost = append(g.cost, cost, -cost)
	return a
}

func (g *network) from(a int32) int32 { return g.to[a^1] }

// finish builds the adjacency lists; no arc may be added afterwards.
func (g *network) finish() {
	g.adjOff = make([]int32, g.n+1)
	for a := range g.to {
		g.adjOff[g.from(int32(a))+1]++
	}
	for u := range g.n {
		g.adjOff[u+1] += g.adjOff[u]
	}
	next := make([]int32, g.n)
	copy(next, g.adjOff[:g.n])
	g.adj = make([]int32, len(g.to))
	for a := range g.to {
		u := g.from(int32(a))
		g.adj[next[u]] = int32(a)
		next[u]++
	}
}

// maxFlow pushes as much flow as possible from s to t (Dinic's algorithm)
// and returns its value.
func (g *network) maxFlow(ctx context.Context, s, t int) (int64, error) {
	level := make([]int32, g.n)
	cur := make([]int32, g.n)
	queue := make([]int32, 0, g.n)
	var total int64
	var dfs func(u int32, limit int64) int64
	dfs = func(u int32, limit int64) int64 {
		if int(u) == t {
			return limit
		}
		pushed := int64(0)
		for ; cur[u] < g.adjOff[u+1]; cur[u]++ {
			a := g.adj[cur[u]]
			v := g.to[a]
			if g.rcap[a] == 0 || level[v] != level[u]+1 {
				continue
			}
			if f := dfs(v, min(limit-pushed, g.rcap[a])); f > 0 {
				g.rcap[a] -= f
				g.rcap[a^1] += f
				pushed += f
				if pushed == limit {
					return pushed
				}
			}
		}
		return pushed
	}
	for {
		if err := ctx.Err(); err != nil {
			return total, err
		}
		for i := range level {
			level[i] = -1
		}
		level[s] = 0
		queue = append(queue[:0], int32(s))
		for i := 0; i < len(queue); i++ {
			u := queue[i]
			for _, a := range g.adj[g.adjOff[u]:g.adjOff[u+1]] {
				if v := g.to[a]; g.rcap[a] > 0 && level[v] < 0 {
					level[v] = level[u] + 1
					queue = append(queue, v)
				}
			}
		}
		if level[t] < 0 {
			return total, nil
		}
		copy(cur, g.adjOff[:g.n])
		total += dfs(int32(s), 1<<62)
	}
}

// reachable marks the nodes reachable from s in the residual network.
func (g *network) reachable(s int) []bool {
	seen := make([]bool, g.n)
	seen[s] = true
	stack := []int32{int32(s)}
	for len(stack) > 0 {
		u := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, a := range g.adj[g.adjOff[u]:g.adjOff[u+1]] {
			if v := g.to[a]; g.rcap[a] > 0 && !seen[v] {
				seen[v] = true
				stack = append(stack, v)
			}
		}
	}
	return seen
}

// minCostCirculation turns the current flow, which must be a feasible
// circulation, into one of minimum cost, by Goldberg and Tarjan's cost
// scaling push–relabel algorithm.
//
// Costs are multiplied by n+1 and refined from ε = max|cost| down to ε = 1: a
// 1-optimal circulation for the scaled costs is 1/(n+1)-optimal for the
// integer costs, hence optimal (no negative cycle can remain, as any cycle
// has at most n arcs and an integer cost). Each refine keeps conservation,
// so the result is still a feasible circulation. The caller keeps the
// costs small enough that prices, which move by O(n·ε) per refine, fit in an
// int64 (see quantum).
func (g *network) minCostCirculation(ctx context.Context) error {
	n := int64(g.n)
	maxCost := int64(0)
	for a := range g.cost {
		g.cost[a] *= n + 1
		maxCost = max(maxCost, g.cost[a])
	}
	defer func() {
		for a := range g.cost {
			g.cost[a] /= n + 1
		}
	}()
	if maxCost == 0 {
		return nil
	}
	const alpha = 8
	price := make([]int64, g.n)
	excess := make([]int64, g.n)
	cur := make([]int32, g.n)
	inQueue := make([]bool, g.n)
	// FIFO of active nodes: a ring, as each node is queued at most once.
	ring := make([]int32, g.n)
	head, size := 0, 0
	enqueue := func(u int32) {
		inQueue[u] = true
		ring[(head+size)%g.n] = u
		size++
	}
	steps := 0
	for eps := maxCost; eps > 1; {
		eps = max(1, eps/alpha)
		// Saturate every admissible arc: the flow becomes 0-optimal (a
		// pseudoflow with excesses), prices stay as they are.
		for u := range g.n {
			for _, a := range g.adj[g.adjOff[u]:g.adjOff[u+1]] {
				if r := g.rcap[a]; r > 0 && g.cost[a]+price[u]-price[g.to[a]] < 0 {
					g.rcap[a], g.rcap[a^1] = 0, g.rcap[a^1]+r
					excess[u] -= r
					excess[g.to[a]] += r
				}
			}
		}
		for u := range g.n {
			cur[u] = g.adjOff[u]
			if excess[u] > 0 {
				enqueue(int32(u))
			}
		}
		for size > 0 {
			u := ring[head]
			head, size = (head+1)%g.n, size-1
			inQueue[u] = false
			if steps++; steps&1023 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			// Discharge u.
			for excess[u] > 0 {
				if cur[u] == g.adjOff[u+1] {
					// Relabel: lower u's price just enough that an arc
					// becomes admissible while all stay ε-optimal.
					best := int64(-1 << 62)
					for _, a := range g.adj[g.adjOff[u]:g.adjOff[u+1]] {
						if g.rcap[a] > 0 {
							best = max(best, price[g.to[a]]-g.cost[a])
						}
					}
					price[u] = best - eps
					cur[u] = g.adjOff[u]
					continue
				}
				a := g.adj[cur[u]]
				v := g.to[a]
				if g.rcap[a] > 0 && g.cost[a]+price[u]-price[v] < 0 {
					d := min(excess[u], g.rcap[a])
					g.rcap[a] -= d
					g.rcap[a^1] += d
					excess[u] -= d
					excess[v] += d
					if excess[v] > 0 && !inQueue[v] {
						enqueue(v)
					}
					if g.rcap[a] > 0 {
						continue
					}
				}
				cur[u]++
			}
		}
	}
	return nil
}
