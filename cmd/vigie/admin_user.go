package main

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/hub"
)

// signInLink returns the dashboard URL that uses a sign-in link secret.
// The secret travels in the query, which the hub's request log never
// writes.
func signInLink(base, secret string) string {
	return strings.TrimRight(base, "/") + "/signin/link?" + url.Values{"token": {secret}}.Encode()
}

const userURLHelp = "the hub's dashboard URL, as people reach it (the link printed starts with it)"

func (a *admin) userAdd(ctx context.Context, args []string) error {
	fs := a.flags("user add", "user add --org NAME --email E --role reader|publisher|admin|operator [--url URL]",
		"Create a dashboard account for a person of an organisation and print a one-time sign-in link\n"+
			"(valid 72 hours) where the person sets a password. Hand it over privately.")
	org := fs.String("org", "", "organisation name or identity id (required)")
	email := fs.String("email", "", "the person's e-mail address, their sign-in name (required)")
	role := fs.String("role", "", "reader, publisher, admin or operator (required)")
	base := fs.String("url", "https://127.0.0.1:8443", userURLHelp)
	if _, err := parseInterleaved(fs, args); err != nil {
		return err
	}
	if *org == "" || *email == "" || *role == "" {
		return usageError(fs, "--org, --email and --role are required")
	}
	r, err := vigie.ParseRole(*role)
	if err != nil {
		return domainError(err)
	}
	h, err := a.open(ctx)
	if err != nil {
		return err
	}
	u, secret, err := h.AddUser(ctx, hub.Console(), *org, *email, r)
	if err != nil {
		return domainError(err)
	}
	fmt.Fprintf(a.stdio.Out, "user %s (%s, %s of %s); sign-in link, valid until %s, shown only now:\n%s\n",
		u.Email, u.ID, u.Role, *org, time.Now().Add(hub.LinkTTL).UTC().Format(time.RFC3339), signInLink(*base, secret))
	return nil
}

func (a *admin) userLink(ctx context.Context, args []string) error {
	fs := a.flags("user link", "user link EMAIL [--url URL]",
		"Print a new one-time sign-in link for a user (forgotten password, expired link); earlier links stop working.")
	base := fs.String("url", "https://127.0.0.1:8443", userURLHelp)
	arg, h, err := a.openWith(ctx, fs, args, "want exactly one EMAIL")
	if err != nil {
		return err
	}
	u, secret, err := h.UserLink(ctx, hub.Console(), arg)
	if err != nil {
		return domainError(err)
	}
	fmt.Fprintf(a.stdio.Out, "sign-in link for %s, shown only now:\n%s\n", u.Email, signInLink(*base, secret))
	return nil
}

func (a *admin) userDisable(ctx context.Context, args []string) error {
	return a.userSetDisabled(ctx, args, true)
}

func (a *admin) userEnable(ctx context.Context, args []string) error {
	return a.userSetDisabled(ctx, args, false)
}

// userSetDisabled disables or enables an account: disabling ends its
// sessions and sign-in links at once.
func (a *admin) userSetDisabled(ctx context.Context, args []string, disabled bool) error {
	verb := map[bool]string{true: "disable", false: "enable"}[disabled]
	fs := a.flags("user "+verb, "user "+verb+" EMAIL",
		"Disable a dashboard account (its sessions and sign-in links end at once; sign-in is refused), or enable it again.")
	arg, h, err := a.openWith(ctx, fs, args, "want exactly one EMAIL")
	if err != nil {
		return err
	}
	u, err := h.SetUserDisabled(ctx, hub.Console(), arg, disabled)
	if err != nil {
		return domainError(err)
	}
	fmt.Fprintf(a.stdio.Out, "%sd %s\n", verb, u.Email)
	return nil
}

func (a *admin) userList(ctx context.Context, args []string) error {
	fs := a.flags("user list", "user list [--org NAME] [--json]", "List dashboard accounts (never their password hashes).")
	org := fs.String("org", "", "only this organisation's users")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parseInterleaved(fs, args); err != nil {
		return err
	}
	h, err := a.open(ctx)
	if err != nil {
		return err
	}
	us, err := h.Users(ctx, hub.Console(), *org)
	if err != nil {
		return domainError(err)
	}
	if *asJSON {
		type row struct {
			ID       string    `json:"id"`
			OrgID    string    `json:"org_id"`
			Email    string    `json:"email"`
			Role     string    `json:"role"`
			Password bool      `json:"password_set"`
			TOTP     bool      `json:"totp"`
			Created  time.Time `json:"created"`
			Disabled time.Time `json:"disabled,omitzero"`
		}
		rows := []row{}
		for _, u := range us {
			rows = append(rows, row{u.ID, u.OrgID, u.Email, string(u.Role), u.Password != "", u.TOTP != "", u.Created, u.Disabled})
		}
		return printJSON(a.stdio, rows)
	}
	return printTable(a.stdio, "EMAIL\tROLE\tORG\tPASSWORD\tTOTP\tCREATED\tDISABLED", us, func(u *vigie.User) []string {
		yes := func(s string) string {
			if s == "" {
				return "no"
			}
			return "yes"
		}
		disabled := "-"
		if !u.Disabled.IsZero() {
			disabled = u.Disabled.Format(time.RFC3339)
		}
		return []string{u.Email, string(u.Role), u.OrgID, yes(u.Password), yes(u.TOTP), u.Created.Format(time.RFC3339), disabled}
	})
}

// printTable prints items as a table under header, one row each.
func printTable[T any](stdio Stdio, header string, items []T, row func(T) []string) error {
	tw := tabwriter.NewWriter(stdio.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, header)
	for _, it := range items {
		fmt.Fprintln(tw, strings.Join(row(it), "\t"))
	}
	return tw.Flush()
}
