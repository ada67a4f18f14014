package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/hub"
)

const adminHelp = `Manage the hub's organisations, API keys, users, communities and collections.
Works on the data directory directly, whether the hub is running or not;
refuses a directory that holds no hub ("vigie serve" or "init" creates one).

Commands:
  init                                          create a new hub in a new or empty --data directory
  org add NAME [--sector S]... [--country CC]   prints the organisation's identity id
  org list [--json]
  key add --org NAME --role reader|publisher|admin|operator|peer [--name LABEL] [--expires 90d|2027-01-31]
                                                prints the key as the last line (shown once);
                                                operator: the staff of the hub's own organisation
                                                (delete any object with a reason, read the audit log);
                                                peer: another hub, reads only TLP:CLEAR and GREEN
  key list [--org NAME] [--json]
  key revoke KEY_ID
  community add NAME --member ORG[,ORG...]
  community list [--json]
  community member add|rm COMMUNITY ORG
  collection add --root ROOT --title TITLE [--id UUID] [--description TEXT] [--alias ALIAS]
                 --read public|community:NAME|org:NAME[,...] --write none|community:NAME|org:NAME[,...]
                                                prints the collection id; served at /ROOT/
  collection list [--json]
  feed add NAME --url URL --format misp|csv --into COLLECTION --org ORG [--every 1h] [--header 'Name: value']...
                 [--type TYPE | --type-column N] [--column N] [--comment-column N]
                                                subscribe to a MISP or CSV feed (see "feed add --help")
  feed list [--json] | feed rm NAME | feed run NAME [--json]
  user add --org NAME --email E --role reader|publisher|admin|operator [--url URL]
                                                a dashboard account; prints a one-time sign-in link
                                                (72 h) where the person sets a password
  user list [--org NAME] [--json]
  user link EMAIL [--url URL]                   a new sign-in link (forgotten password)
  user disable|enable EMAIL                     a disabled user's sessions end at once; sign-in is refused
  hub show [--json]                             this hub's identity among its peers (id, operator)
  hub operator ORG                              record the organisation that runs this hub
  peer add NAME --url URL --key-file FILE [--fingerprint FP | --ca FILE]
           --remote-collection ID --local-collection ID [--push [policy options]]
                                                pull another hub's collection into one of ours
                                                (--push: post ours into theirs)
  peer list [--json]                            state, cursor, lag, counts, last error (never keys)
  peer rm|pause|resume NAME
  peer policy set|show|clear ORG [--types LIST] [--deny-types LIST] [--max-tlp clear|green]
           [--exclude-org ORG]... [--push] [--json]
                                                narrow what leaves to a peer hub beyond its grants
  audit [--since 24h|2026-12-01|RFC3339] [--org NAME] [--json]
                                                the audit log: every state change, who, from where
  audit verify                                  check the audit log's hash chain; exit status 1
                                                and the first broken entry when it was tampered with
  backup FILE                                   a consistent copy of the running hub (SQLite) and its files
  restore FILE --data NEWDIR                    a hub in NEWDIR from a backup, checked whole first
  prune [--versions 90d] [--expired 30d] ...    delete what is past keeping (retention; see prune --help)
  compact                                       return free space to the file system (hub running)

Example:
  vigie admin --data ./vigie-data org add "CERT-Nord" --sector government-national --country FR
  vigie admin --data ./vigie-data key add --org CERT-Nord --role publisher`

func runAdmin(ctx context.Context, stdio Stdio, args []string) error {
	fs := newFlagSet(stdio, "admin", "vigie admin [--data DIR | --db URL] COMMAND ...", adminHelp)
	data := fs.String("data", defaultDataDir, "data directory of the hub")
	db := fs.String("db", "", dbFlagHelp)
	if err := fs.Parse(args); err != nil {
		return err
	}
	rest := fs.Args()
	if len(rest) > 0 && rest[0] == "init" {
		return initHub(ctx, stdio, *data, *db, rest[1:])
	}
	a := &admin{stdio: stdio, data: *data, db: *db, close: func() error { return nil }}
	if len(rest) > 0 && rest[0] == "audit" {
		defer func() { a.close() }() // the store open opened
		if len(rest) > 1 && rest[1] == "verify" {
			return a.auditVerify(ctx, rest[2:])
		}
		return a.auditList(ctx, rest[1:])
	}
	if len(rest) > 0 {
		if run, ok := map[string]func(context.Context, []string) error{
			"backup": a.adminBackup, "restore": a.adminRestore, // admin_backup.go
			"prune": a.adminPrune, "compact": a.adminCompact, // admin_retention.go
		}[rest[0]]; ok {
			defer func() { a.close() }()
			return run(ctx, rest[1:])
		}
	}
	if len(rest) < 2 {
		fs.Usage()
		return &exitError{Code: 2, Message: "vigie admin: want a noun and a verb, e.g. \"org add NAME\""}
	}
	noun, verb := rest[0], rest[1]
	cmds := map[string]func(context.Context, []string) error{
		"org add": a.orgAdd, "org list": a.orgList,
		"key add": a.keyAdd, "key list": a.keyList, "key revoke": a.keyRevoke,
		"community add": a.communityAdd, "community list": a.communityList, "community member": a.communityMember,
		"collection add": a.collectionAdd, "collection list": a.collectionList,
		"feed add": a.feedAdd, "feed list": a.feedList, "feed rm": a.feedRemove, "feed run": a.feedRun,
		"user add": a.userAdd, "user list": a.userList, "user link": a.userLink,
		"user disable": a.userDisable, "user enable": a.userEnable,
		// Federation (peer_cmd.go).
		"peer add": a.peerAdd, "peer list": a.peerList, "peer rm": a.peerRemove, "peer pause": a.peerPause, "peer resume": a.peerResume,
		"peer policy": a.peerPolicy, "hub show": a.hubShow, "hub operator": a.hubOperator,
	}
	run, ok := cmds[noun+" "+verb]
	if !ok {
		fs.Usage()
		return &exitError{Code: 2, Message: fmt.Sprintf("vigie admin: unknown command %q", noun+" "+verb)}
	}
	defer func() { a.close() }() // the store open opened
	return run(ctx, rest[2:])
}

// admin runs one admin command against the data directory.
type admin struct {
	stdio Stdio
	data  string
	db    string
	hub   *hub.Hub
	close func() error
}

// flags returns a flag set for one admin command, which also accepts --data.
func (a *admin) flags(name, synopsis, help string) *flag.FlagSet {
	fs := newFlagSet(a.stdio, "admin "+name, "vigie admin "+synopsis, help)
	fs.StringVar(&a.data, "data", a.data, "data directory of the hub")
	fs.StringVar(&a.db, "db", a.db, dbFlagHelp)
	return fs
}

// openWith parses a command's flags and its one positional argument (want
// says what it is when missing), then opens the hub.
func (a *admin) openWith(ctx context.Context, fs *flag.FlagSet, args []string, want string) (string, *hub.Hub, error) {
	arg, err := oneArg(fs, args, want)
	if err != nil {
		return "", nil, err
	}
	h, err := a.open(ctx)
	return arg, h, err
}

// open opens the store once the flags are parsed.
func (a *admin) open(ctx context.Context) (*hub.Hub, error) {
	if err := requireHub(a.data, a.db); err != nil {
		return nil, err
	}
	s, err := openStore(ctx, a.data, a.db)
	if err != nil {
		return nil, err
	}
	a.close = s.Close
	a.hub = hub.New(s, hub.Config{}, time.Now)
	return a.hub, nil
}

func (a *admin) orgAdd(ctx context.Context, args []string) error {
	var sectors listFlag
	fs := a.flags("org add", "org add NAME [--sector S]... [--country CC]", "Register a member organisation; prints the id of its STIX identity.")
	fs.Var(&sectors, "sector", "industry sector (STIX industry-sector-ov, e.g. energy); repeat or separate with commas")
	country := fs.String("country", "", "ISO 3166-1 alpha-2 country code, e.g. FR")
	arg, h, err := a.openWith(ctx, fs, args, "want exactly one organisation NAME")
	if err != nil {
		return err
	}
	o, err := h.AddOrg(ctx, hub.Console(), arg, sectors, strings.ToUpper(*country))
	if err != nil {
		return domainError(err)
	}
	fmt.Fprintln(a.stdio.Out, o.ID)
	return nil
}

func (a *admin) orgList(ctx context.Context, args []string) error {
	return listCommand(a, ctx, args, "org list", "List the organisations.",
		func(h *hub.Hub) ([]*vigie.Org, error) { return h.Orgs(ctx, hub.Console()) },
		"NAME\tIDENTITY\tSECTORS\tCOUNTRY",
		func(o *vigie.Org) []string { return []string{o.Name, o.ID, strings.Join(o.Sectors, ","), o.Country} })
}

// listCommand runs an admin "list" command: it fetches items and prints
// them as a table (one row each under header), or as JSON with --json.
func listCommand[T any](a *admin, ctx context.Context, args []string, name, help string,
	fetch func(*hub.Hub) ([]T, error), header string, row func(T) []string) error {
	fs := a.flags(name, name+" [--json]", help)
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parseInterleaved(fs, args); err != nil {
		return err
	}
	h, err := a.open(ctx)
	if err != nil {
		return err
	}
	items, err := fetch(h)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(a.stdio, items)
	}
	tw := tabwriter.NewWriter(a.stdio.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, header)
	for _, it := range items {
		fmt.Fprintln(tw, strings.Join(row(it), "\t"))
	}
	return tw.Flush()
}

func (a *admin) keyAdd(ctx context.Context, args []string) error {
	fs := a.flags("key add", "key add --org NAME --role reader|publisher|admin|operator|peer [--name LABEL] [--expires WHEN]",
		"Create an API key. The key is printed once, as the last line; only its hash is stored.")
	org := fs.String("org", "", "organisation name or identity id (required)")
	role := fs.String("role", "", "reader, publisher, admin, operator or peer (required; operator: the hub's own staff; peer: another hub)")
	name := fs.String("name", "", "a label for the key, e.g. the tool that uses it")
	expires := fs.String("expires", "", "expiry: a duration such as 90d or 12h, or a date such as 2027-01-31")
	if _, err := parseInterleaved(fs, args); err != nil {
		return err
	}
	if *org == "" || *role == "" {
		return usageError(fs, "--org and --role are required")
	}
	r, err := vigie.ParseRole(*role)
	if err != nil {
		return domainError(err)
	}
	exp, err := parseExpiry(*expires, time.Now())
	if err != nil {
		return err
	}
	h, err := a.open(ctx)
	if err != nil {
		return err
	}
	k, token, err := h.AddKey(ctx, hub.Console(), *org, r, *name, exp)
	if err != nil {
		return domainError(err)
	}
	when := "never expires"
	if !k.Expires.IsZero() {
		when = "expires " + k.Expires.Format(time.RFC3339)
	}
	fmt.Fprintf(a.stdio.Out, "key %s (%s, %s) for %s; it is shown only now:\n%s\n", k.ID, k.Role, when, *org, token)
	return nil
}

// parseExpiry reads "90d", "12h" or a date/time; "" is no expiry.
func parseExpiry(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if d, ok := parseSpan(s); ok {
		return now.Add(d), nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			if !t.After(now) {
				return time.Time{}, fmt.Errorf("--expires %q is in the past: the key would never work", s)
			}
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("--expires %q: want a duration like 90d or 12h, or a date like 2027-01-31", s)
}

func (a *admin) keyList(ctx context.Context, args []string) error {
	fs := a.flags("key list", "key list [--org NAME] [--json]", "List API keys (never their secrets).")
	org := fs.String("org", "", "only this organisation's keys")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parseInterleaved(fs, args); err != nil {
		return err
	}
	h, err := a.open(ctx)
	if err != nil {
		return err
	}
	keys, err := h.Keys(ctx, hub.Console(), *org)
	if err != nil {
		return domainError(err)
	}
	orgNames, err := orgNames(ctx, h)
	if err != nil {
		return err
	}
	type keyView struct {
		ID      string    `json:"id"`
		Org     string    `json:"org"`
		OrgID   string    `json:"org_id"`
		Role    string    `json:"role"`
		Name    string    `json:"name,omitempty"`
		Created time.Time `json:"created"`
		Expires time.Time `json:"expires,omitzero"`
		Revoked time.Time `json:"revoked,omitzero"`
	}
	views := make([]keyView, len(keys))
	for i, k := range keys {
		views[i] = keyView{k.ID, orgNames[k.OrgID], k.OrgID, string(k.Role), k.Name, k.Created, k.Expires, k.Revoked}
	}
	if *asJSON {
		return printJSON(a.stdio, views)
	}
	tw := tabwriter.NewWriter(a.stdio.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tORG\tROLE\tNAME\tSTATE")
	now := time.Now()
	for _, k := range keys {
		state := "active"
		switch {
		case !k.Revoked.IsZero():
			state = "revoked " + k.Revoked.Format("2006-01-02")
		case !k.Active(now):
			state = "expired " + k.Expires.Format("2006-01-02")
		case !k.Expires.IsZero():
			state = "expires " + k.Expires.Format("2006-01-02")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", k.ID, orgNames[k.OrgID], k.Role, k.Name, state)
	}
	return tw.Flush()
}

func (a *admin) keyRevoke(ctx context.Context, args []string) error {
	fs := a.flags("key revoke", "key revoke KEY_ID", "Revoke an API key at once; requests with it are refused (401).")
	arg, h, err := a.openWith(ctx, fs, args, "want one KEY_ID (see \"key list\")")
	if err != nil {
		return err
	}
	id, err := h.RevokeKey(ctx, hub.Console(), arg)
	if err != nil {
		return domainError(err)
	}
	fmt.Fprintf(a.stdio.Out, "key %s revoked\n", id)
	return nil
}

func (a *admin) communityAdd(ctx context.Context, args []string) error {
	var members listFlag
	fs := a.flags("community add", "community add NAME --member ORG[,ORG...]", "Create a community (sharing group) of organisations.")
	fs.Var(&members, "member", "member organisation names; repeat or separate with commas")
	arg, h, err := a.openWith(ctx, fs, args, "want exactly one community NAME")
	if err != nil {
		return err
	}
	c, err := h.AddCommunity(ctx, hub.Console(), arg, members)
	if err != nil {
		return domainError(err)
	}
	fmt.Fprintln(a.stdio.Out, c.ID)
	return nil
}

func (a *admin) communityList(ctx context.Context, args []string) error {
	names := map[string]string{}
	return listCommand(a, ctx, args, "community list", "List communities and their members.",
		func(h *hub.Hub) ([]*vigie.Community, error) {
			orgs, err := h.Orgs(ctx, hub.Console())
			if err != nil {
				return nil, err
			}
			for _, o := range orgs {
				names[o.ID] = o.Name
			}
			return h.Communities(ctx, hub.Console())
		},
		"NAME\tID\tMEMBERS",
		func(c *vigie.Community) []string {
			var ms []string
			for _, m := range c.Members {
				ms = append(ms, names[m])
			}
			slices.Sort(ms)
			return []string{c.Name, c.ID, strings.Join(ms, ", ")}
		})
}

func (a *admin) communityMember(ctx context.Context, args []string) error {
	fs := a.flags("community member", "community member add|rm COMMUNITY ORG", "Add an organisation to a community, or remove it.")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 3 || (pos[0] != "add" && pos[0] != "rm") {
		return usageError(fs, "want add|rm COMMUNITY ORG")
	}
	h, err := a.open(ctx)
	if err != nil {
		return err
	}
	return domainError(h.SetCommunityMember(ctx, hub.Console(), pos[1], pos[2], pos[0] == "add"))
}

func (a *admin) collectionAdd(ctx context.Context, args []string) error {
	var read, write listFlag
	fs := a.flags("collection add", "collection add --root ROOT --title TITLE --read WHO --write WHO [--id UUID]",
		"Create a TAXII collection (and its API root /ROOT/ if new); prints the collection id.\nWHO is public (read only), community:NAME, org:NAME or none; several separated by commas.")
	spec := hub.CollectionSpec{}
	fs.StringVar(&spec.Root, "root", "", "API root name (required)")
	fs.StringVar(&spec.Title, "title", "", "title (required)")
	fs.StringVar(&spec.ID, "id", "", "collection UUID (default: a new random one)")
	fs.StringVar(&spec.Description, "description", "", "description")
	fs.StringVar(&spec.Alias, "alias", "", "alias")
	fs.Var(&read, "read", "who may read: public, community:NAME, org:NAME (required)")
	fs.Var(&write, "write", "who may write: none, community:NAME, org:NAME (required)")
	if _, err := parseInterleaved(fs, args); err != nil {
		return err
	}
	if spec.Root == "" || spec.Title == "" || len(read) == 0 || len(write) == 0 {
		return usageError(fs, "--root, --title, --read and --write are required")
	}
	spec.Read, spec.Write = read, write
	h, err := a.open(ctx)
	if err != nil {
		return err
	}
	c, err := h.AddCollection(ctx, hub.Console(), spec)
	if err != nil {
		return domainError(err)
	}
	fmt.Fprintln(a.stdio.Out, c.ID)
	return nil
}

func (a *admin) collectionList(ctx context.Context, args []string) error {
	return listCommand(a, ctx, args, "collection list", "List collections with who may read and write them.",
		func(h *hub.Hub) ([]*vigie.Collection, error) { return h.AllCollections(ctx, hub.Console()) },
		"ROOT\tID\tTITLE\tREAD\tWRITE",
		func(c *vigie.Collection) []string {
			return []string{c.Root, c.ID, c.Title, vigie.GrantsList(c.Read), vigie.GrantsList(c.Write)}
		})
}

// printJSON writes v as indented JSON.
func printJSON(stdio Stdio, v any) error {
	enc := json.NewEncoder(stdio.Out)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// usageError prints a command's usage and returns exit status 2.
func usageError(fs *flag.FlagSet, msg string) error {
	fs.Usage()
	return &exitError{Code: 2, Message: "vigie " + fs.Name() + ": " + msg}
}

// domainError shows a domain error's message without its code.
func domainError(err error) error {
	if err == nil {
		return nil
	}
	if vigie.ErrorCode(err) == vigie.EINTERNAL {
		return err
	}
	return fmt.Errorf("%s", vigie.ErrorMessage(err))
}
