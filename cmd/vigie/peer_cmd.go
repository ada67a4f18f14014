package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/client"
	"github.com/vigie-cti/vigie/hub"
)

const peerAddHelp = `Pull objects from another hub (a peer) into one of this hub's collections.

The remote hub's operator grants this hub like an organisation: an
organisation for this hub, a key of role peer (vigie admin key add --role
peer), and read on the collections it offers (as a member of their
community, for TLP:GREEN; a peer key never reads AMBER or RED). URL is the
remote API root. The local collection's read grants decide which of this
hub's organisations see what arrives. A running "vigie serve" starts
pulling within seconds; the cursor is kept in the store, so either hub may
restart. The key is kept in the store to be presented to the peer; it is
never printed, listed or logged.

--push reverses the direction, for a peer that cannot reach this hub:
this hub posts what may leave its local collection (TLP:CLEAR and GREEN)
into the remote collection, with a key of role peer the remote hub issued
and a write grant on that collection. With --push, --types, --deny-types,
--max-tlp and --exclude-org narrow what is sent (see "peer policy --help";
"peer policy set NAME --push" changes them later).

Example:
  vigie admin --data ./hub peer add hub-b --url https://hub-b:8443/coalition/ \
      --key-file hub-b.key --fingerprint AB:CD:... \
      --remote-collection 5f0c... --local-collection 8a1e...`

// peerAdd runs "admin peer add".
func (a *admin) peerAdd(ctx context.Context, args []string) error {
	fs := a.flags("peer add", "peer add NAME --url URL --key-file FILE [--fingerprint FP | --ca FILE] --remote-collection ID --local-collection ID [--push [--types LIST] [--deny-types LIST] [--max-tlp clear|green] [--exclude-org ORG]...]", peerAddHelp)
	u := fs.String("url", "", "the remote API root, e.g. https://hub-b:8443/coalition/ (required)")
	key := fs.String("key", "", "the key of role peer the remote hub issued; prefer --key-file (other local users can see a command line)")
	keyFile := fs.String("key-file", "", "read the key from this file (\"-\": standard input)")
	fp := fs.String("fingerprint", "", "SHA-256 fingerprint of the remote hub's certificate, as its \"vigie serve\" prints it (pins it)")
	ca := fs.String("ca", "", "PEM file of the CA (or self-signed certificate) the remote certificate must chain to")
	remote := fs.String("remote-collection", "", "id of the collection to pull on the remote hub (required)")
	local := fs.String("local-collection", "", "id of the collection of this hub that receives the objects (with --push: that is sent) (required)")
	push := fs.Bool("push", false, "push this hub's local collection into the remote one instead of pulling (the remote hub grants our key write on it)")
	var pf policyFlags // peer_policy_cmd.go
	pf.register(fs)
	arg, err := oneArg(fs, args, "want exactly one peer NAME")
	if err != nil {
		return err
	}
	if pf.set() && !*push {
		return usageError(fs, "--types, --deny-types, --max-tlp and --exclude-org narrow what this hub sends: they need --push (a hub pulling from us is narrowed with peer policy set ORG)")
	}
	pol, err := pf.policy()
	if err != nil {
		return domainError(err)
	}
	if *u == "" || *remote == "" || *local == "" {
		return usageError(fs, "--url, --remote-collection and --local-collection are required")
	}
	switch {
	case *key != "" && *keyFile != "":
		return usageError(fs, "give --key or --key-file, not both")
	case *keyFile != "":
		if *key, err = client.ReadKeyFile(*keyFile, a.stdio.In); err != nil {
			return err
		}
	case *key == "":
		return usageError(fs, "the peer's key is required: --key-file FILE (or --key)")
	}
	p := &vigie.Peer{Name: arg, URL: *u, Key: vigie.Secret(strings.TrimSpace(*key)), RemoteCollection: *remote, LocalCollection: *local, Push: *push, Policy: pol}
	if *fp != "" {
		b, err := client.ParseFingerprint(*fp)
		if err != nil {
			return err
		}
		p.Fingerprint = client.FormatFingerprint(b)
	}
	if *ca != "" {
		pem, err := os.ReadFile(*ca)
		if err != nil {
			return fmt.Errorf("--ca: %w", err)
		}
		p.CAPEM = string(pem)
	}
	// The TLS settings are checked now, as the puller will build them.
	if _, err := client.NewHTTPClient(p.URL, client.TLS{Fingerprint: p.Fingerprint, CAPEM: []byte(p.CAPEM)}, time.Minute); err != nil {
		return err
	}
	h, err := a.open(ctx)
	if err != nil {
		return err
	}
	if err := h.AddPeer(ctx, hub.Console(), p); err != nil {
		return domainError(err)
	}
	if strings.HasPrefix(p.URL, "http://") {
		fmt.Fprintf(a.stdio.Err, "vigie: warning: peer %s is plain http: the key and the objects travel unencrypted; use it only on loopback or behind a TLS-terminating proxy\n", p.Name)
	}
	if p.Push {
		fmt.Fprintf(a.stdio.Out, "peer %s added: pushing collection %s into %s collection %s\n", p.Name, p.LocalCollection, p.URL, p.RemoteCollection)
	} else {
		fmt.Fprintf(a.stdio.Out, "peer %s added: pulling %s collection %s into collection %s\n", p.Name, p.URL, p.RemoteCollection, p.LocalCollection)
	}
	return nil
}

// peerView is a peer as "peer list --json" shows it: never its key.
type peerView struct {
	Name             string          `json:"name"`
	Push             bool            `json:"push,omitempty"`
	URL              string          `json:"url"`
	KeyID            string          `json:"key_id,omitempty"`
	Fingerprint      string          `json:"fingerprint,omitempty"`
	RemoteCollection string          `json:"remote_collection"`
	LocalCollection  string          `json:"local_collection"`
	State            string          `json:"state"`
	LagSeconds       int64           `json:"lag_seconds"`
	LagObjects       int64           `json:"lag_objects"`
	Detail           vigie.PeerState `json:"detail"`
}

func (a *admin) peerList(ctx context.Context, args []string) error {
	fs := a.flags("peer list", "peer list [--json]", "List the peers this hub pulls from: state, cursor, lag, counts and last error (never their keys).")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parseInterleaved(fs, args); err != nil {
		return err
	}
	h, err := a.open(ctx)
	if err != nil {
		return err
	}
	peers, err := h.Peers(ctx, hub.Console())
	if err != nil {
		return err
	}
	now := time.Now()
	if *asJSON {
		views := make([]peerView, len(peers))
		for i, p := range peers {
			secs, objs := p.Lag(now)
			views[i] = peerView{Name: p.Name, Push: p.Push, URL: p.URL, KeyID: p.KeyID, Fingerprint: p.Fingerprint, RemoteCollection: p.RemoteCollection,
				LocalCollection: p.LocalCollection, State: p.StateName(), LagSeconds: secs, LagObjects: objs, Detail: p.State}
		}
		return printJSON(a.stdio, views)
	}
	tw := tabwriter.NewWriter(a.stdio.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tURL\tSTATE\tCURSOR\tLAG\tSTORED\tDROPPED\tRETRACTED\tSIGHTINGS SENT\tLAST ERROR")
	for _, p := range peers {
		cursor := "-"
		if !p.State.Cursor.IsZero() {
			cursor = p.State.Cursor.Format(time.RFC3339)
		}
		secs, objs := p.Lag(now)
		lagText := "0"
		if secs > 0 || objs > 0 {
			lagText = fmt.Sprintf("%ds", secs)
			if objs > 0 {
				lagText += fmt.Sprintf(", %d+ objects", objs)
			}
		}
		s := p.State.Stats
		dropped := s.Looped + s.Spoofed + s.NotOwner + s.TooRestricted + s.Invalid
		lastErr := p.State.LastError
		if lastErr == "" {
			lastErr = "-"
		}
		name := p.Name
		if p.Push {
			name += " (push)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%s\n", name, p.URL, p.StateName(), cursor, lagText, s.Stored, dropped, s.Retracted, s.SightingsSent, lastErr)
	}
	return tw.Flush()
}

// peerNamed runs a command that takes one peer NAME.
func (a *admin) peerNamed(ctx context.Context, args []string, verb, help string, run func(*hub.Hub, string) error) error {
	fs := a.flags("peer "+verb, "peer "+verb+" NAME", help)
	arg, h, err := a.openWith(ctx, fs, args, "want exactly one peer NAME")
	if err != nil {
		return err
	}
	if err := run(h, arg); err != nil {
		return domainError(err)
	}
	fmt.Fprintf(a.stdio.Out, "peer %s: %s\n", arg, map[string]string{"rm": "removed", "pause": "paused", "resume": "resumed"}[verb])
	return nil
}

func (a *admin) peerRemove(ctx context.Context, args []string) error {
	return a.peerNamed(ctx, args, "rm", "Stop pulling from a peer and forget it (and its key); what it relayed stays.",
		func(h *hub.Hub, name string) error { return h.RemovePeer(ctx, hub.Console(), name) })
}

func (a *admin) peerPause(ctx context.Context, args []string) error {
	return a.peerNamed(ctx, args, "pause", "Stop pulling from a peer for now; its cursor is kept.",
		func(h *hub.Hub, name string) error { return h.PausePeer(ctx, hub.Console(), name, true) })
}

func (a *admin) peerResume(ctx context.Context, args []string) error {
	return a.peerNamed(ctx, args, "resume", "Pull from a paused peer again, from its cursor.",
		func(h *hub.Hub, name string) error { return h.PausePeer(ctx, hub.Console(), name, false) })
}

// hubShow prints the hub's identity, which peers see in its discovery.
func (a *admin) hubShow(ctx context.Context, args []string) error {
	fs := a.flags("hub show", "hub show [--json]", "Print this hub's identity among its peers: its id and operator organisation.")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parseInterleaved(fs, args); err != nil {
		return err
	}
	h, err := a.open(ctx)
	if err != nil {
		return err
	}
	id, op, err := h.HubOperator(ctx)
	if err != nil {
		return err
	}
	name := ""
	if op != nil {
		name = op.Name
	}
	if *asJSON {
		return printJSON(a.stdio, map[string]string{"id": id.ID, "operator": id.Operator, "operator_name": name})
	}
	if name == "" {
		name = "(none: vigie admin hub operator ORG)"
	}
	fmt.Fprintf(a.stdio.Out, "hub id    %s\noperator  %s %s\n", id.ID, name, id.Operator)
	return nil
}

// hubOperator sets the organisation that operates the hub.
func (a *admin) hubOperator(ctx context.Context, args []string) error {
	fs := a.flags("hub operator", "hub operator ORG", "Record the organisation that runs this hub; its peers see it in discovery.")
	arg, h, err := a.openWith(ctx, fs, args, "want exactly one organisation")
	if err != nil {
		return err
	}
	id, err := h.SetHubOperator(ctx, hub.Console(), arg)
	if err != nil {
		return domainError(err)
	}
	fmt.Fprintf(a.stdio.Out, "hub %s is operated by %s\n", id.ID, id.Operator)
	return nil
}
