package main

import "context"

// runPattern is a placeholder until the command is built; it says so plainly.
func runPattern(ctx context.Context, stdio Stdio, args []string) error {
	return errNotBuilt
}
