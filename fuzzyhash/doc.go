// Package fuzzyhash is the parent of the two fuzzy (similarity) hashes vigie
// computes on samples, each written from its published algorithm:
// fuzzyhash/tlsh (Trend Micro's locality-sensitive hash) and fuzzyhash/ssdeep
// (context-triggered piecewise hashing). Their digests and distances agree
// with the reference command-line tools (Debian's tlsh-tools and ssdeep); the
// tests check that on a corpus of the machine's own binaries.
package fuzzyhash
