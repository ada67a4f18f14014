package sbom

// markDependencies sets Direct or Transitive on the components reached in the
// dependency graph edges (ref to the refs it depends on). The direct
// dependencies are those of rootRef, the described product; when the graph
// has no entry for the product, they are inferred as the components that no
// other component depends on. Components the graph does not reach keep
// DependencyUnknown.
func markDependencies(comps []Component, rootRef string, edges map[string][]string) {
	if len(edges) == 0 {
		return
	}
	index := make(map[string][]int, len(comps))
	for i := range comps {
		if comps[i].Ref != "" {
			index[comps[i].Ref] = append(index[comps[i].Ref], i)
		}
	}
	var direct []string
	if deps, ok := edges[rootRef]; ok && rootRef != "" {
		direct = deps
	} else {
		depended := make(map[string]bool)
		for from, tos := range edges {
			for _, to := range tos {
				if to != from {
					depended[to] = true
				}
			}
		}
		for i := range comps {
			if ref := comps[i].Ref; ref != "" && ref != rootRef && !depended[ref] {
				direct = append(direct, ref)
			}
		}
	}
	seen := make(map[string]bool, len(comps))
	queue := make([]string, 0, len(comps))
	for _, ref := range direct {
		if seen[ref] || ref == rootRef {
			continue
		}
		seen[ref] = true
		queue = append(queue, ref)
		for _, i := range index[ref] {
			comps[i].Dependency = Direct
		}
	}
	for len(queue) > 0 {
		ref := queue[0]
		queue = queue[1:]
		for _, next := range edges[ref] {
			if seen[next] || next == rootRef {
				continue
			}
			seen[next] = true
			queue = append(queue, next)
			for _, i := range index[next] {
				comps[i].Dependency = Transitive
			}
		}
	}
}
