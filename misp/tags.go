package misp

import (
	"strings"

	"github.com/vigie-cti/vigie"
)

// marks returns the TLP level and marking refs of an item with tags: the
// most restrictive of the event's level and the item's own.
func (c *Converter) marks(tags []Tag) (vigie.TLP, []string) {
	t, _ := tagsTLP(tags)
	if t > c.ev.tlp {
		return t, []string{tlpRef(tags)}
	}
	return c.ev.tlp, c.ev.marks
}

// tagsTLP returns the most restrictive TLP level among tags.
func tagsTLP(tags []Tag) (vigie.TLP, string) {
	best, name := vigie.TLPNone, ""
	for _, t := range tags {
		if l := tagLevel(t.Name); l > best {
			best, name = l, t.Name
		}
	}
	return best, name
}

// tagLevel returns the TLP level of a tag such as "tlp:amber" (TLPNone for
// other tags).
func tagLevel(name string) vigie.TLP {
	n := strings.ToLower(strings.TrimSpace(name))
	if !strings.HasPrefix(n, "tlp:") {
		return vigie.TLPNone
	}
	l, err := vigie.ParseTLP(n)
	if err != nil {
		return vigie.TLPNone
	}
	return l
}

// tlpRef returns the marking-definition id of the most restrictive TLP tag
// among tags, as misp-stix writes it: the TLP 1.0 ids for white, green,
// amber and red, the TLP 2.0 ids for clear and amber+strict.
func tlpRef(tags []Tag) string {
	l, name := tagsTLP(tags)
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "tlp:white":
		return vigie.MarkingWhiteTLP1
	case "tlp:green":
		return vigie.MarkingGreenTLP1
	case "tlp:amber":
		return vigie.MarkingAmberTLP1
	case "tlp:red":
		return vigie.MarkingRedTLP1
	}
	return vigie.MarkingRef(l)
}

// tagLabels returns the tags that are not TLP levels, as labels.
func tagLabels(tags []Tag) []string {
	var out []string
	for _, t := range tags {
		if tagLevel(t.Name) == vigie.TLPNone && strings.TrimSpace(t.Name) != "" && !strings.HasPrefix(strings.ToLower(t.Name), "tlp:") {
			out = append(out, t.Name)
		}
	}
	return out
}
