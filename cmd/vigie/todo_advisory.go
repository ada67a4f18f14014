package main

import "context"

// runAdvisory is a placeholder until the command is built; it says so plainly.
func runAdvisory(ctx context.Context, stdio Stdio, args []string) error {
	return errNotBuilt
}
