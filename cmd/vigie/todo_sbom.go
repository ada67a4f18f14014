package main

import "context"

// runSBOM is a placeholder until the command is built; it says so plainly.
func runSBOM(ctx context.Context, stdio Stdio, args []string) error {
	return errNotBuilt
}
