package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/hub"
)

const peerPolicyHelp = `Narrow what may leave this hub to one peer hub, beyond its grants.

The collections a peer reads are its grants (collection add --read); a
key of role peer never reads above TLP:GREEN. An egress policy narrows
further: object types (an allow list and/or a deny list), a TLP ceiling
(clear or green: never above green) and organisations whose objects
never leave to that peer (--exclude-org, repeatable: what they published
or own, and relayed objects whose origin organisation it is). It is
applied in the store's queries and once more in the hub, on every read
path of the peer (objects, object, versions, manifest, tombstones,
wake-up) and on every push, from the next request on; what the peer
copied before stays with it. With a CLEAR ceiling, an object whose new
version is GREEN is retracted from the peer (as one narrowed to AMBER is
from every peer). Every change is in the audit log.

ORG is the peer's organisation on this hub (the one whose keys have role
peer: another hub pulling from this one). With --push, ORG is instead
the name of a peer this hub pushes to (peer add --push).

Commands:
  peer policy set ORG [--types LIST] [--deny-types LIST] [--max-tlp clear|green]
                      [--exclude-org ORG]... [--push] [--json]
                      replaces the whole policy with the one given
  peer policy show ORG [--push] [--json]
  peer policy clear ORG [--push]    the grants alone decide again

Examples:
  vigie admin --data ./hub-b peer policy set hub-A --types indicator,malware,vulnerability \
      --max-tlp clear --exclude-org CERT-Sud
  vigie admin --data ./hub-b peer policy show hub-A --json
  vigie admin --data ./hub-b peer policy set hub-c --push --deny-types report`

// policyFlags are the options of an egress policy, shared by peer add
// --push and peer policy set.
type policyFlags struct {
	types, deny listFlag
	maxTLP      string
	exclude     stringsFlag
}

func (pf *policyFlags) register(fs *flag.FlagSet) {
	fs.Var(&pf.types, "types", "STIX types that may leave, comma-separated or repeated (indicator,malware,...); none: any type")
	fs.Var(&pf.deny, "deny-types", "STIX types that never leave, comma-separated or repeated")
	fs.StringVar(&pf.maxTLP, "max-tlp", "", "the most restrictive level that may leave: clear or green (never above green)")
	fs.Var(&pf.exclude, "exclude-org", "an organisation (name, or identity id of a relayed origin) whose objects never leave; repeatable")
}

// set reports whether any option was given.
func (pf *policyFlags) set() bool {
	return len(pf.types)+len(pf.deny)+len(pf.exclude) > 0 || pf.maxTLP != ""
}

// policy returns the policy the options give.
func (pf *policyFlags) policy() (vigie.EgressPolicy, error) {
	pol := vigie.EgressPolicy{Types: pf.types, DenyTypes: pf.deny, ExcludeOrgs: pf.exclude}
	if pf.maxTLP != "" {
		t, err := vigie.ParseCeiling(pf.maxTLP)
		if err != nil {
			return pol, err
		}
		pol.MaxTLP = t
	}
	return pol, nil
}

// policyView is a policy as "peer policy show --json" prints it.
type policyView struct {
	Org         string     `json:"org,omitempty"`  // the pulling peer's organisation id
	Peer        string     `json:"peer,omitempty"` // the push peer's name
	Types       []string   `json:"types"`
	DenyTypes   []string   `json:"deny_types"`
	MaxTLP      string     `json:"max_tlp"`
	ExcludeOrgs []orgLabel `json:"exclude_orgs"`
}

type orgLabel struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"` // "" for a relayed origin that is no organisation here
}

// peerPolicy runs "admin peer policy set|show|clear".
func (a *admin) peerPolicy(ctx context.Context, args []string) error {
	if len(args) == 0 || (args[0] != "set" && args[0] != "show" && args[0] != "clear") {
		fs := a.flags("peer policy", "peer policy set|show|clear ORG [options]", peerPolicyHelp)
		fs.Usage()
		return &exitError{Code: 2, Message: "vigie admin peer policy: want set, show or clear"}
	}
	verb := args[0]
	fs := a.flags("peer policy "+verb, "peer policy "+verb+" ORG [options]", peerPolicyHelp)
	var pf policyFlags
	if verb == "set" {
		pf.register(fs)
	}
	push := fs.Bool("push", false, "ORG is the name of a peer this hub pushes to, not a pulling peer's organisation")
	asJSON := fs.Bool("json", false, "print the policy as JSON")
	arg, err := oneArg(fs, args[1:], "want exactly one ORG (or, with --push, a peer NAME)")
	if err != nil {
		return err
	}
	var pol vigie.EgressPolicy
	switch verb {
	case "set":
		if !pf.set() {
			return usageError(fs, "give at least one of --types, --deny-types, --max-tlp, --exclude-org (peer policy clear removes the policy)")
		}
		if pol, err = pf.policy(); err != nil {
			return domainError(err)
		}
	}
	h, err := a.open(ctx)
	if err != nil {
		return err
	}
	view := policyView{}
	if *push {
		view.Peer = arg
		if verb == "show" {
			p, err := h.Peer(ctx, hub.Console(), arg)
			if err != nil {
				return domainError(err)
			}
			pol = p.Policy
		} else if pol, err = h.SetPeerPolicy(ctx, hub.Console(), arg, pol); err != nil {
			return domainError(err)
		}
	} else {
		var o *vigie.Org
		if verb == "show" {
			o, pol, err = h.EgressPolicy(ctx, hub.Console(), arg)
		} else {
			o, pol, err = h.SetEgressPolicy(ctx, hub.Console(), arg, pol)
		}
		if err != nil {
			return domainError(err)
		}
		view.Org = o.ID
	}
	names, err := orgNames(ctx, h)
	if err != nil {
		return err
	}
	view.Types, view.DenyTypes, view.MaxTLP = nonNil(pol.Types), nonNil(pol.DenyTypes), strings.ToLower(pol.Ceiling().String())
	view.ExcludeOrgs = []orgLabel{}
	for _, id := range pol.ExcludeOrgs {
		view.ExcludeOrgs = append(view.ExcludeOrgs, orgLabel{ID: id, Name: names[id]})
	}
	if *asJSON {
		return printJSON(a.stdio, view)
	}
	return printPolicy(a, verb, arg, pol, view)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// printPolicy prints a policy for people.
func printPolicy(a *admin, verb, target string, pol vigie.EgressPolicy, v policyView) error {
	switch verb {
	case "set":
		fmt.Fprintf(a.stdio.Out, "egress policy of %s set\n", target)
	case "clear":
		fmt.Fprintf(a.stdio.Out, "egress policy of %s cleared: its grants alone decide (never above TLP:GREEN)\n", target)
		return nil
	}
	if pol.IsZero() {
		fmt.Fprintf(a.stdio.Out, "%s: no egress policy: its grants alone decide (never above TLP:GREEN)\n", target)
		return nil
	}
	or := func(list []string, none string) string {
		if len(list) == 0 {
			return none
		}
		return strings.Join(list, ", ")
	}
	var orgs []string
	for _, o := range v.ExcludeOrgs {
		label := o.ID
		if o.Name != "" {
			label = o.Name + " (" + o.ID + ")"
		}
		orgs = append(orgs, label)
	}
	fmt.Fprintf(a.stdio.Out, "types         %s\ndeny types    %s\nmax TLP       %s\nexclude orgs  %s\n",
		or(pol.Types, "any"), or(pol.DenyTypes, "-"), v.MaxTLP, or(orgs, "-"))
	return nil
}
