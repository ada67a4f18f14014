package main

import "context"

// runServe is a placeholder until the command is built; it says so plainly.
func runServe(ctx context.Context, stdio Stdio, args []string) error {
	return errNotBuilt
}
