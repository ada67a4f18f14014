package main

import "context"

// runScan is a placeholder until the command is built; it says so plainly.
func runScan(ctx context.Context, stdio Stdio, args []string) error {
	return errNotBuilt
}
