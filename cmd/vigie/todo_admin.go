package main

import "context"

// runAdmin is a placeholder until the command is built; it says so plainly.
func runAdmin(ctx context.Context, stdio Stdio, args []string) error {
	return errNotBuilt
}
