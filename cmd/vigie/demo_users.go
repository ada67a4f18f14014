package main

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/hub"
)

// demoUser is a dashboard account of the demo.
type demoUser struct {
	email, org string
	role       vigie.Role
}

// demoAccounts is the demo's people and the password they all share.
type demoAccounts struct {
	users    []demoUser
	password string
}

// demoUsers creates a dashboard account per organisation, with the role
// of its key, and one operator at CERT-Nord (the hub's own staff), all
// with one random password printed with them: the demo runs on loopback
// and ends with its data.
func demoUsers(ctx context.Context, h *hub.Hub, c *demoCoalition) (*demoAccounts, error) {
	var b [10]byte
	rand.Read(b[:])
	acc := &demoAccounts{password: "demo-" + strings.ToLower(base32.StdEncoding.EncodeToString(b[:]))}
	for _, o := range c.orgs {
		acc.users = append(acc.users, demoUser{"analyst@" + demoSlug(o.name) + ".example", o.name, o.role})
	}
	acc.users = append(acc.users, demoUser{"operator@" + demoSlug(c.orgs[0].name) + ".example", c.orgs[0].name, vigie.RoleOperator})
	for _, u := range acc.users {
		_, link, err := h.AddUser(ctx, hub.Console(), u.org, u.email, u.role)
		if err != nil {
			return nil, err
		}
		if _, err := h.SetPassword(ctx, link, acc.password, hub.ConsoleAddr); err != nil {
			return nil, err
		}
	}
	return acc, nil
}

func demoSlug(name string) string {
	return strings.ToLower(strings.ReplaceAll(name, " ", "-"))
}

// printDemoUsers tells how to open the dashboard and who to sign in as.
func printDemoUsers(w io.Writer, url string, acc *demoAccounts) {
	fmt.Fprintf(w, "\nDashboard: open %s/ in a browser and sign in as any of these (password %s):\n", url, acc.password)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  E-MAIL\tORGANISATION\tROLE")
	for _, u := range acc.users {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", u.email, u.org, u.role)
	}
	tw.Flush()
	fmt.Fprintln(w, "  Each sees what TLP lets its organisation read; the operator also sees organisations, keys and the audit log.")
}
