package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/hub"
)

// fields are the properties of a STIX object that pages show a person.
type fields struct {
	Type, Name, Description, Pattern, PatternType string
	ValidFrom, Created, Modified                  string
	Revoked                                       bool
	Labels, IndicatorTypes                        []string
	RelationshipType, SourceRef, TargetRef        string
	SightingOf                                    string
	Count                                         int
	ObjectRefs                                    []string
	ExternalRefs                                  []struct {
		SourceName string `json:"source_name"`
		ExternalID string `json:"external_id"`
		URL        string `json:"url"`
	}
	KillChain []struct {
		Kill  string `json:"kill_chain_name"`
		Phase string `json:"phase_name"`
	}
}

// maxRefs bounds the object_refs an object page lists.
const maxRefs = 200

func fieldsOf(raw json.RawMessage) fields {
	var f struct {
		fields
		PT       string          `json:"pattern_type"`
		VF       string          `json:"valid_from"`
		IT       []string        `json:"indicator_types"`
		RT       string          `json:"relationship_type"`
		SR       string          `json:"source_ref"`
		TR       string          `json:"target_ref"`
		SO       string          `json:"sighting_of_ref"`
		OR       []string        `json:"object_refs"`
		ExtRefs  json.RawMessage `json:"external_references"`
		KCPhases json.RawMessage `json:"kill_chain_phases"`
	}
	json.Unmarshal(raw, &f)
	out := f.fields
	out.PatternType, out.ValidFrom, out.IndicatorTypes = f.PT, f.VF, f.IT
	out.RelationshipType, out.SourceRef, out.TargetRef, out.SightingOf = f.RT, f.SR, f.TR, f.SO
	if len(f.OR) > maxRefs {
		f.OR = f.OR[:maxRefs]
	}
	out.ObjectRefs = f.OR
	json.Unmarshal(f.ExtRefs, &out.ExternalRefs)
	json.Unmarshal(f.KCPhases, &out.KillChain)
	if out.Name == "" {
		var v struct {
			Value string `json:"value"`
		}
		json.Unmarshal(raw, &v)
		out.Name = v.Value
	}
	return out
}

// hitRow is one object in a list.
type hitRow struct {
	ID, Type, Name string
	TLP            vigie.TLP
	SharedBy       string
	Collection     string
	Added          string
}

func rows(objs []*vigie.Object, names map[string]string, colls map[string]string) []hitRow {
	out := make([]hitRow, 0, len(objs))
	for _, o := range objs {
		f := fieldsOf(o.Raw)
		name := f.Name
		if name == "" && f.RelationshipType != "" {
			name = f.RelationshipType
		}
		if name == "" && o.Type == "sighting" {
			name = "sighting"
		}
		out = append(out, hitRow{ID: o.ID, Type: o.Type, Name: name, TLP: o.TLP, SharedBy: orgName(names, o.Publisher),
			Collection: colls[o.Collection], Added: when(o.DateAdded)})
	}
	return out
}

func (d *Dashboard) collectionTitles(r *http.Request, q *req) (map[string]string, error) {
	cs, _, err := d.hub.ReadableCollections(r.Context(), q.p)
	m := map[string]string{}
	for _, c := range cs {
		m[c.ID] = c.Title
	}
	return m, err
}

type searchData struct {
	Query   string
	Full    bool // every object was read
	Indexed bool // the hits come from the correlation index
	Text    bool // the hits come from the text index
	Kind    string
	Hits    []hitRow
	More    bool
	Done    bool // a search ran
}

// kindNames says in words what the search took the value for.
var kindNames = map[string]string{
	hub.ValueIPv4: "IPv4 address", hub.ValueIPv6: "IPv6 address", hub.ValueRange: "address range", hub.ValueDomain: "domain name",
	hub.ValueURL: "URL", hub.ValueEmail: "mail address", hub.ValueMD5: "MD5 hash", hub.ValueSHA1: "SHA-1 hash",
	hub.ValueSHA256: "SHA-256 hash", hub.ValueSHA512: "SHA-512 hash", hub.ValueCVE: "CVE id", hub.ValuePURL: "package URL", hub.ValueText: "text",
}

func (d *Dashboard) search(w http.ResponseWriter, r *http.Request, q *req) error {
	data := searchData{Query: strings.TrimSpace(r.URL.Query().Get("q")), Full: r.URL.Query().Get("full") == "1"}
	q.v.Title, q.v.Nav = "Search", "search"
	if data.Query != "" {
		res, err := d.hub.Search(r.Context(), q.p, data.Query, 100, data.Full)
		if vigie.ErrorCode(err) == vigie.EINVALID {
			q.v.Error = vigie.ErrorMessage(err)
		} else if err != nil {
			return err
		} else {
			names, err := d.hub.OrgNames(r.Context(), q.p)
			if err != nil {
				return err
			}
			colls, err := d.collectionTitles(r, q)
			if err != nil {
				return err
			}
			data.Done, data.Kind, data.Hits, data.More, data.Indexed, data.Text = true, kindNames[res.Value.Kind], rows(res.Hits, names, colls), res.More, res.Indexed, res.Text
		}
	}
	q.v.Data = data
	d.render(w, http.StatusOK, "search.html", q.v)
	return nil
}

type versionRow struct {
	Version    string
	Collection string
	TLP        vigie.TLP
	SharedBy   string
	Added      string
}

type objectData struct {
	ID        string
	Fields    fields
	TLP       vigie.TLP
	SharedBy  string
	RelayedBy string
	Versions  []versionRow
	Related   []hitRow
	Graph     *graph
	Sightings int
	Sighters  int
	Raw       string
	Writable  []*vigie.Collection
	Sighted   bool
}

func (d *Dashboard) objectGet(w http.ResponseWriter, r *http.Request, q *req) error {
	id := r.PathValue("id")
	ov, err := d.hub.Object(r.Context(), q.p, id)
	if err != nil {
		return err
	}
	names, err := d.hub.OrgNames(r.Context(), q.p)
	if err != nil {
		return err
	}
	colls, err := d.collectionTitles(r, q)
	if err != nil {
		return err
	}
	o := ov.Versions[0]
	data := objectData{ID: id, Fields: fieldsOf(o.Raw), TLP: o.TLP, SharedBy: orgName(names, o.Publisher), Sightings: ov.Sightings, Sighters: ov.Sighters, Raw: pretty(o.Raw)}
	if rb := o.RelayedBy(); rb != "" {
		data.RelayedBy, data.SharedBy = orgName(names, rb), orgName(names, o.Author)
	}
	for _, v := range ov.Versions {
		data.Versions = append(data.Versions, versionRow{Version: v.Version, Collection: colls[v.Collection], TLP: v.TLP, SharedBy: orgName(names, v.Publisher), Added: when(v.DateAdded)})
	}
	data.Related = rows(ov.Related, names, colls)
	nids, _ := neighbours(id, ov.Related)
	latest, err := d.hub.Latest(r.Context(), q.p, nids)
	if err != nil {
		return err
	}
	nnames := map[string]string{}
	for nid, n := range latest {
		nnames[nid] = fieldsOf(n.Raw).Name
	}
	data.Graph = drawGraph(id, data.Fields.Name, ov.Related, nnames)
	if q.v.Me.Publisher {
		if data.Writable, err = d.hub.WritableCollections(r.Context(), q.p); err != nil {
			return err
		}
		data.Writable = holdingFirst(data.Writable, o.Collection)
	}
	data.Sighted = r.URL.Query().Get("done") == "sighted"
	if data.Sighted {
		q.v.Flash = "Sighting shared: the coalition knows you saw it."
	}
	title := data.Fields.Name
	if title == "" {
		title = id
	}
	q.v.Title, q.v.Nav, q.v.Data = title, "search", data
	d.render(w, http.StatusOK, "object.html", q.v)
	return nil
}

// sighting publishes "we saw this" for an object.
func (d *Dashboard) sighting(w http.ResponseWriter, r *http.Request, q *req) error {
	id := r.PathValue("id")
	root, coll, err := splitCollection(r.PostFormValue("collection"))
	if err != nil {
		return err
	}
	tlp, err := vigie.ParseTLP(r.PostFormValue("tlp"))
	if err != nil {
		return vigie.Errorf(vigie.EINVALID, "choose a TLP level for the sighting")
	}
	if _, err := d.hub.Sight(r.Context(), q.p, root, coll, id, tlp, r.PostFormValue("note")); err != nil {
		return err
	}
	back := "/objects/" + url.PathEscape(id)
	if a := r.PostFormValue("alert"); a != "" {
		back = "/alerts/" + url.PathEscape(a)
	}
	http.Redirect(w, r, back+"?done=sighted", http.StatusSeeOther)
	return nil
}

// splitCollection reads a form's "ROOT/ID" collection choice.
func splitCollection(s string) (root, id string, err error) {
	root, id, ok := strings.Cut(s, "/")
	if !ok || root == "" || id == "" {
		return "", "", vigie.Errorf(vigie.EINVALID, "choose a collection")
	}
	return root, id, nil
}

// holdingFirst puts the collection that holds the sighted object first,
// so that the form proposes to share the sighting with the same audience
// as the object (another choice may name the object to readers who
// cannot read it).
func holdingFirst(cs []*vigie.Collection, holding string) []*vigie.Collection {
	out := make([]*vigie.Collection, 0, len(cs))
	for _, c := range cs {
		if c.ID == holding {
			out = append(out, c)
		}
	}
	for _, c := range cs {
		if c.ID != holding {
			out = append(out, c)
		}
	}
	return out
}
