package misp

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/vigie-cti/vigie"
)

// attached emits the galaxies and sightings of an attribute: a
// relationship from its object to each cluster's SDO, a sighting of it per
// MISP sighting.
func (c *Converter) attached(e *Event, from string, a *Attribute, marks []string, when time.Time) ([]string, error) {
	var refs []string
	for _, g := range a.Galaxies {
		for _, cl := range g.Clusters {
			to, err := c.galaxy(e, g, cl)
			if err != nil {
				return nil, err
			}
			if to == "" {
				continue
			}
			rel := map[string]any{
				"type": "relationship", "spec_version": "2.1",
				"id":      "relationship--" + vigie.NameUUID("misp-galaxy/"+from+"/"+to),
				"created": stamp(when), "modified": stamp(when),
				"relationship_type": relType(from),
				"source_ref":        from, "target_ref": to,
			}
			if c.ev.author != "" {
				rel["created_by_ref"] = c.ev.author
			}
			if len(marks) > 0 {
				rel["object_marking_refs"] = marks
			}
			if a.Deleted {
				rel["revoked"] = true
			}
			if err := c.emit(rel); err != nil {
				return nil, err
			}
			refs = append(refs, to, rel["id"].(string))
		}
	}
	for _, s := range a.Sightings {
		id, err := c.sighting(e, from, s, marks)
		if err != nil {
			return nil, err
		}
		if id != "" {
			refs = append(refs, id)
		}
	}
	return refs, nil
}

func relType(from string) string {
	if strings.HasPrefix(from, "indicator--") {
		return "indicates"
	}
	return "related-to"
}

// sighting emits one MISP sighting (type 0) of the object of. Other types
// (false positive, expiration) are counted as not mapped.
func (c *Converter) sighting(e *Event, of string, s Sighting, marks []string) (string, error) {
	c.sum.Sightings.Total++
	if s.Type != 0 {
		c.sum.Sightings.NotMapped++
		return "", nil
	}
	when := s.DateSighting.Time()
	if when.IsZero() {
		c.sum.Sightings.NotMapped++
		c.sum.Sightings.Errors++
		c.itemErr(&ItemError{Event: e.UUID, Kind: "sighting", UUID: s.UUID, Err: errors.New("no date_sighting")})
		return "", nil
	}
	uid := strings.ToLower(s.UUID)
	if !validUUID(uid) {
		uid = vigie.NameUUID("misp-sighting/" + of + "/" + strconv.FormatInt(int64(s.DateSighting), 10))
	}
	o := map[string]any{
		"type": "sighting", "spec_version": "2.1", "id": "sighting--" + uid,
		"created": stamp(when), "modified": stamp(when),
		"first_seen": when.Format(time.RFC3339), "last_seen": when.Format(time.RFC3339),
		"count": 1, "sighting_of_ref": of,
	}
	if c.ev.author != "" {
		o["created_by_ref"] = c.ev.author
	}
	if len(marks) > 0 {
		o["object_marking_refs"] = marks
	}
	if s.Organisation != nil {
		who, err := c.identity(*s.Organisation, when)
		if err != nil {
			return "", err
		}
		if who != "" {
			o["where_sighted_refs"] = []string{who}
		}
	}
	c.sum.Sightings.Mapped++
	return o["id"].(string), c.emit(o)
}

// galaxy emits the SDO of a galaxy cluster once and returns its id, or ""
// for a galaxy type without a STIX counterpart (counted as not mapped).
func (c *Converter) galaxy(e *Event, g Galaxy, cl Cluster) (string, error) {
	c.sum.Galaxies.Total++
	typ := galaxySDO(g.Type)
	if typ == "" {
		typ = galaxySDO(cl.Type)
	}
	if typ == "" || strings.TrimSpace(cl.Value) == "" {
		c.sum.Galaxies.NotMapped++
		return "", nil
	}
	uid := strings.ToLower(cl.UUID)
	if !validUUID(uid) {
		key := cl.TagName
		if key == "" {
			key = g.Type + "=" + cl.Value
		}
		uid = vigie.NameUUID("misp-galaxy/" + key)
	}
	id := typ + "--" + uid
	c.sum.Galaxies.Mapped++
	if c.seen[id] {
		return id, nil
	}
	c.seen[id] = true
	o := map[string]any{
		"type": typ, "spec_version": "2.1", "id": id,
		"created": stamp(c.ev.when), "modified": stamp(c.ev.when),
		"name":   cl.Value,
		"labels": []string{`misp:galaxy-type="` + g.Type + `"`},
	}
	if cl.Description != "" {
		o["description"] = cl.Description
	}
	if typ == "malware" {
		o["is_family"] = true
	}
	if c.ev.author != "" {
		o["created_by_ref"] = c.ev.author
	}
	if len(c.ev.marks) > 0 {
		o["object_marking_refs"] = c.ev.marks
	}
	return id, c.emit(o)
}

// galaxySDO returns the STIX type of a MISP galaxy type ("" for none).
func galaxySDO(t string) string {
	t = strings.ToLower(t)
	switch {
	case t == "":
		return ""
	case strings.Contains(t, "attack-pattern"):
		return "attack-pattern"
	case strings.Contains(t, "intrusion-set"):
		return "intrusion-set"
	case strings.Contains(t, "course-of-action"):
		return "course-of-action"
	case t == "threat-actor" || strings.Contains(t, "threat-actor"):
		return "threat-actor"
	case t == "tool" || strings.HasSuffix(t, "-tool"):
		return "tool"
	case strings.Contains(t, "malware"), strings.Contains(t, "ransomware"):
		return "malware"
	}
	switch t {
	case "banker", "botnet", "rat", "stealer", "backdoor", "exploit-kit", "android", "malpedia", "tds", "cryptominers", "ios", "rsit":
		if t == "rsit" || t == "tds" {
			return ""
		}
		return "malware"
	}
	return ""
}
