package sqldb

// The SQL that selects object versions for a reader, with the TLP rules as
// SQL. Statements use "?" placeholders; Rebind turns them into "$n".

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/vigie-cti/vigie"
)

// Recipients encodes RED recipients for the recipients column, so that a
// Contains test on "|id|" finds each of them.
func Recipients(ids []string) string {
	if len(ids) == 0 {
		return ""
	}
	return "|" + strings.Join(ids, "|") + "|"
}

// SplitRecipients is the inverse of Recipients.
func SplitRecipients(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.Trim(s, "|"), "|")
}

// WhereObjects turns q into a WHERE clause over "objects o", whose column
// coll is the seq of the collection in table collections.
func (d Dialect) WhereObjects(q *vigie.ObjectQuery) (string, []any) {
	var w strings.Builder
	args := []any{q.Collection, q.AddedAfter.UnixMicro()}
	if q.AddedAfter.IsZero() {
		args[1] = int64(0)
	}
	if len(q.IDs) > 0 {
		// Asked by id: the unary "+" keeps the planner off the (coll,
		// date_added) index, which SQLite otherwise walks through the
		// whole collection to honour ORDER BY date_added; the (id, coll,
		// version_key) index finds the few rows at once.
		w.WriteString(`+o.coll = (SELECT seq FROM collections WHERE id = ?) AND +o.date_added > ?`)
	} else {
		w.WriteString(`o.coll = (SELECT seq FROM collections WHERE id = ?) AND o.date_added > ?`)
	}
	in := func(col string, vals []string) {
		if len(vals) == 0 {
			return
		}
		w.WriteString(` AND ` + col + ` IN (?` + strings.Repeat(`, ?`, len(vals)-1) + `)`)
		for _, v := range vals {
			args = append(args, v)
		}
	}
	in("o.id", q.IDs)
	in("o.type", q.Types)
	in("o.spec_version", q.SpecVersions)
	if q.Publisher != "" {
		w.WriteString(` AND o.publisher = ?`)
		args = append(args, q.Publisher)
	}
	if len(q.Contains) > 0 {
		alts := make([]string, len(q.Contains))
		for i, c := range q.Contains {
			alts[i] = d.ContainsBytes("o.raw", "?")
			args = append(args, []byte(c))
		}
		w.WriteString(` AND (` + strings.Join(alts, ` OR `) + `)`)
	}
	vis, visArgs := d.Visible("o", q.Scope)
	w.WriteString(` AND ` + vis)
	args = append(args, visArgs...)
	if q.Scope.Egress {
		pol, polArgs := d.Admits("o", q.Scope.Policy)
		w.WriteString(pol)
		args = append(args, polArgs...)
		// A version retracted from peers (a newer one narrowed the
		// marking above their ceiling) is no longer theirs to read.
		w.WriteString(` AND NOT EXISTS (SELECT 1 FROM tombstones t WHERE t.id = o.id AND t.coll = o.coll AND t.version_key = o.version_key AND t.kind = '` +
			vigie.TombstoneRetracted + `' AND t.narrowed_to > ` + strconv.Itoa(int(q.Scope.Ceiling())) + `)`)
	}

	// Versions are chosen among those the reader may read, so that "last"
	// never reveals a newer version the reader may not see.
	f := q.Versions
	if f.IsZero() {
		f.Last = true
	}
	if !f.All {
		var alts []string
		for _, edge := range []struct {
			on bool
			op string
		}{{f.Last, ">"}, {f.First, "<"}} {
			if !edge.on {
				continue
			}
			v2, v2Args := d.Visible("o2", q.Scope)
			alts = append(alts, `NOT EXISTS (SELECT 1 FROM objects o2 WHERE o2.coll = o.coll AND o2.id = o.id AND o2.version_key `+edge.op+` o.version_key AND `+v2+`)`)
			args = append(args, v2Args...)
		}
		if len(f.Exact) > 0 {
			alts = append(alts, `o.version_key IN (?`+strings.Repeat(`, ?`, len(f.Exact)-1)+`)`)
			for _, v := range f.Exact {
				args = append(args, v)
			}
		}
		w.WriteString(` AND (` + strings.Join(alts, ` OR `) + `)`)
	}
	return w.String(), args
}

// Visible is vigie.CanRead as SQL over the objects table alias a.
func (d Dialect) Visible(a string, r vigie.ReadScope) (string, []any) {
	if r.All {
		return `(1 = 1)`, nil
	}
	level := fmt.Sprintf(`(CASE %s.tlp WHEN 0 THEN %d ELSE %s.tlp END)`, a, int(r.DefaultTLP), a)
	if r.Egress {
		// vigie.MayLeave: CLEAR, and GREEN to a peer granted as a member
		// (unless its policy's ceiling is CLEAR).
		leave := strconv.Itoa(int(vigie.TLPClear))
		if r.Ceiling() == vigie.TLPGreen {
			leave += ", " + strconv.Itoa(int(vigie.TLPGreen))
		}
		return `(` + level + ` IN (` + leave + `))`, nil
	}
	allowed := []string{strconv.Itoa(int(vigie.TLPClear))}
	if r.Member {
		for _, t := range []vigie.TLP{vigie.TLPGreen, vigie.TLPAmber, vigie.TLPAmberStrict} {
			allowed = append(allowed, strconv.Itoa(int(t)))
		}
	}
	cond := level + ` IN (` + strings.Join(allowed, ", ") + `)`
	if r.OrgID == "" {
		return `(` + cond + `)`, nil
	}
	red := level + ` = ` + strconv.Itoa(int(vigie.TLPRed)) + ` AND ` + d.Contains(a+`.recipients`, `?`)
	return `(` + a + `.publisher = ? OR ` + cond + ` OR (` + red + `))`, []any{r.OrgID, "|" + r.OrgID + "|"}
}

// Admits is vigie.EgressPolicy.Admits as SQL over the alias a of the
// objects or tombstones table: " AND ..." conditions on the type (the
// id's prefix), the publisher and the owner ("" for none to add).
func (d Dialect) Admits(a string, p vigie.EgressPolicy) (string, []any) {
	var w strings.Builder
	var args []any
	types := func(list []string, not string) {
		if len(list) == 0 {
			return
		}
		alts := make([]string, len(list))
		for i, t := range list {
			// Types are [a-z0-9-] (EgressPolicy.Validate): no LIKE wildcard.
			alts[i] = a + `.id LIKE ?`
			args = append(args, t+"--%")
		}
		w.WriteString(` AND ` + not + `(` + strings.Join(alts, ` OR `) + `)`)
	}
	types(p.Types, "")
	types(p.DenyTypes, "NOT ")
	if n := len(p.ExcludeOrgs); n > 0 {
		list := `(?` + strings.Repeat(`, ?`, n-1) + `)`
		w.WriteString(` AND ` + a + `.publisher NOT IN ` + list + ` AND ` + a + `.owner NOT IN ` + list)
		for range 2 {
			for _, o := range p.ExcludeOrgs {
				args = append(args, o)
			}
		}
	}
	return w.String(), args
}

// Rebind rewrites "?" placeholders as "$1", "$2", ... for PostgreSQL. The
// statements built here never hold a "?" inside a literal.
func Rebind(sql string) string {
	var b strings.Builder
	n := 0
	for _, r := range sql {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
