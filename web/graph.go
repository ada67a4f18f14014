package web

import (
	"math"
	"strings"

	"github.com/vigie-cti/vigie"
)

// graph is a small picture of an object and its neighbours, drawn on the
// server as SVG: the object in the middle, each object a relationship or
// sighting links it to on a circle around it, the edge labelled with the
// relationship type.
type graph struct {
	W, H   int
	Center node
	Nodes  []node
}

type node struct {
	ID, Label, Edge string
	X, Y            int // the node's centre
	LX, LY          int // the edge label's position
	Link            bool
}

// maxGraphNodes bounds the neighbours drawn; the list below the graph
// has them all.
const maxGraphNodes = 12

// neighbours returns the ids an object's relationships and sightings
// link it to, at most maxGraphNodes, with the edge labels.
func neighbours(id string, related []*vigie.Object) (ids, edges []string) {
	seen := map[string]bool{}
	for _, o := range related {
		f := fieldsOf(o.Raw)
		var other, edge string
		switch {
		case o.Type == "relationship" && f.SourceRef == id:
			other, edge = f.TargetRef, f.RelationshipType
		case o.Type == "relationship" && f.TargetRef == id:
			other, edge = f.SourceRef, f.RelationshipType
		case o.Type == "sighting":
			other, edge = o.ID, "sighting"
		}
		if other == "" || seen[other] || len(ids) == maxGraphNodes {
			continue
		}
		seen[other] = true
		ids, edges = append(ids, other), append(edges, edge)
	}
	return ids, edges
}

// drawGraph lays the object out in the middle and its neighbours on a
// circle; names holds the names of the neighbours the reader may read.
func drawGraph(id, name string, related []*vigie.Object, names map[string]string) *graph {
	type nb struct{ id, edge string }
	var nbs []nb
	ids, edges := neighbours(id, related)
	for i := range ids {
		nbs = append(nbs, nb{ids[i], edges[i]})
	}
	if len(nbs) == 0 {
		return nil
	}
	g := &graph{W: 640, H: 360}
	cx, cy, rad := g.W/2, g.H/2, 140.0
	g.Center = node{ID: id, Label: short(name, id), X: cx, Y: cy}
	for i, n := range nbs {
		a := 2*math.Pi*float64(i)/float64(len(nbs)) - math.Pi/2
		x, y := cx+int(rad*1.6*math.Cos(a)), cy+int(rad*math.Sin(a))
		g.Nodes = append(g.Nodes, node{ID: n.id, Label: short(names[n.id], n.id), Edge: n.edge, X: x, Y: y,
			LX: (cx + x) / 2, LY: (cy+y)/2 - 4, Link: true})
	}
	return g
}

// short labels a node: its name, else its type and the start of its UUID.
func short(name, id string) string {
	if name != "" {
		if r := []rune(name); len(r) > 28 {
			return string(r[:27]) + "…"
		}
		return name
	}
	typ, uuid, _ := strings.Cut(id, "--")
	if len(uuid) > 8 {
		uuid = uuid[:8]
	}
	return typ + " " + uuid
}
