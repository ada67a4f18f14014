package main

import "context"

// runDemo is a placeholder until the command is built; it says so plainly.
func runDemo(ctx context.Context, stdio Stdio, args []string) error {
	return errNotBuilt
}
