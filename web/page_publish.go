package web

import (
	"net/http"
	"slices"
	"strings"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/hub"
)

// tlpChoices are the levels a form offers, least restrictive first.
var tlpChoices = []vigie.TLP{vigie.TLPClear, vigie.TLPGreen, vigie.TLPAmber, vigie.TLPAmberStrict, vigie.TLPRed}

type publishData struct {
	Collections []*vigie.Collection
	TLPs        []vigie.TLP
	Orgs        []orgChoice // the other organisations, for TLP:RED recipients
	// The form as sent, to show it again after a refusal.
	Values, TLP, Collection, Name, Description, CourseOfAction string
	Recipients                                                 []string
	// The bundle form as sent.
	BundleTLP, BundleCollection string
	BundleRecipients            []string
	Status                      *vigie.Status
	Max                         int
	MaxUpload                   int // MiB
}

// orgChoice is an organisation a form offers as a recipient.
type orgChoice struct{ ID, Name string }

// publishData is what the publish page offers p: the collections it may
// write and the organisations it may name as RED recipients.
func (d *Dashboard) publishData(r *http.Request, q *req) (*publishData, error) {
	cs, err := d.hub.WritableCollections(r.Context(), q.p)
	if err != nil {
		return nil, err
	}
	names, err := d.hub.OrgNames(r.Context(), q.p)
	if err != nil {
		return nil, err
	}
	data := &publishData{Collections: cs, TLPs: tlpChoices, Max: hub.MaxQuickValues, MaxUpload: maxUpload >> 20}
	for id, name := range names {
		if id != q.p.OrgID {
			data.Orgs = append(data.Orgs, orgChoice{ID: id, Name: name})
		}
	}
	slices.SortFunc(data.Orgs, func(a, b orgChoice) int { return strings.Compare(a.Name, b.Name) })
	return data, nil
}

func (d *Dashboard) publishForm(w http.ResponseWriter, r *http.Request, q *req) error {
	data, err := d.publishData(r, q)
	if err != nil {
		return err
	}
	q.v.Title, q.v.Nav, q.v.Data = "Share indicators", "publish", data
	d.render(w, http.StatusOK, "publish.html", q.v)
	return nil
}

// publishPost turns the pasted values into indicators. A refusal shows
// the form again, filled in, with the reason.
func (d *Dashboard) publishPost(w http.ResponseWriter, r *http.Request, q *req) error {
	data, err := d.publishData(r, q)
	if err != nil {
		return err
	}
	data.Values, data.TLP, data.Collection, data.Name = r.PostFormValue("values"), r.PostFormValue("tlp"), r.PostFormValue("collection"), r.PostFormValue("name")
	data.Description, data.CourseOfAction, data.Recipients = r.PostFormValue("description"), r.PostFormValue("coa"), r.PostForm["recipient"]
	q.v.Title, q.v.Nav, q.v.Data = "Share indicators", "publish", data
	spec := hub.ValuesSpec{Values: strings.Split(data.Values, "\n"), Name: strings.TrimSpace(data.Name), Description: strings.TrimSpace(data.Description),
		CourseOfAction: data.CourseOfAction, Recipients: data.Recipients}
	st, err := func() (*vigie.Status, error) {
		if data.TLP == "" {
			return nil, vigie.Errorf(vigie.EINVALID, "choose a TLP level: what is shared must say who may read it")
		}
		t, err := vigie.ParseTLP(data.TLP)
		if err != nil {
			return nil, err
		}
		spec.TLP = t
		if spec.Root, spec.Collection, err = splitCollection(data.Collection); err != nil {
			return nil, err
		}
		return d.hub.PublishValues(r.Context(), q.p, spec)
	}()
	switch code := vigie.ErrorCode(err); code {
	case "":
	case vigie.EINVALID, vigie.ETOOLARGE, vigie.EFORBIDDEN, vigie.ENOTFOUND:
		q.v.Error = vigie.ErrorMessage(err)
		d.render(w, statusOf(code), "publish.html", q.v)
		return nil
	default:
		return err
	}
	data.Status = st
	if len(st.Failures) == 0 {
		q.v.Flash = "Shared."
		data.Values, data.Name, data.Description, data.CourseOfAction, data.Recipients = "", "", "", "", nil
	} else {
		q.v.Error = "Some objects were refused; see below."
	}
	d.render(w, http.StatusOK, "publish.html", q.v)
	return nil
}

type watchData struct {
	Entries []*vigie.WatchEntry
	Kinds   []vigie.WatchKind
}

func (d *Dashboard) watchList(w http.ResponseWriter, r *http.Request, q *req) error {
	es, err := d.hub.Watchlist(r.Context(), q.p)
	if err != nil {
		return err
	}
	q.v.Title, q.v.Nav, q.v.Data = "Watchlist", "watchlist", watchData{Entries: es, Kinds: vigie.WatchKinds()}
	switch r.URL.Query().Get("done") {
	case "added":
		q.v.Flash = "Added to the watchlist."
	case "deleted":
		q.v.Flash = "Removed from the watchlist."
	}
	d.render(w, http.StatusOK, "watchlist.html", q.v)
	return nil
}

func (d *Dashboard) watchAdd(w http.ResponseWriter, r *http.Request, q *req) error {
	if _, err := d.hub.AddWatch(r.Context(), q.p, vigie.WatchKind(r.PostFormValue("kind")), r.PostFormValue("value")); err != nil {
		return err
	}
	http.Redirect(w, r, "/watchlist?done=added", http.StatusSeeOther)
	return nil
}

func (d *Dashboard) watchDelete(w http.ResponseWriter, r *http.Request, q *req) error {
	if err := d.hub.DeleteWatch(r.Context(), q.p, r.PathValue("id")); err != nil {
		return err
	}
	http.Redirect(w, r, "/watchlist?done=deleted", http.StatusSeeOther)
	return nil
}
