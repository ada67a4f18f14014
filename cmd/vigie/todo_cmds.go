package main

// Placeholders replaced as each command lands; each says so plainly.

import (
	"context"
	"errors"
)

var errNotBuilt = errors.New("not built yet")

func runServe(ctx context.Context, stdio Stdio, args []string) error    { return errNotBuilt }
func runDemo(ctx context.Context, stdio Stdio, args []string) error     { return errNotBuilt }
func runAdmin(ctx context.Context, stdio Stdio, args []string) error    { return errNotBuilt }
func runPattern(ctx context.Context, stdio Stdio, args []string) error  { return errNotBuilt }
func runScan(ctx context.Context, stdio Stdio, args []string) error     { return errNotBuilt }
func runSBOM(ctx context.Context, stdio Stdio, args []string) error     { return errNotBuilt }
func runAdvisory(ctx context.Context, stdio Stdio, args []string) error { return errNotBuilt }
