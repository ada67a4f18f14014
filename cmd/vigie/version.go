package main

import (
	"context"
	"fmt"
	"io"
	"runtime/debug"

	"github.com/vigie-cti/vigie/sensor/yara"
)

// Version, when set at build time with -ldflags "-X main.Version=...",
// replaces the module version the Go toolchain records.
var Version = ""

func runVersion(ctx context.Context, stdio Stdio, args []string) error {
	fs := newFlagSet(stdio, "version", "vigie version", "Print the version of vigie, the commit it was built from, and whether the YARA engine is built in.")
	if err := fs.Parse(args); err != nil {
		return err
	}
	info, _ := debug.ReadBuildInfo()
	writeVersion(stdio.Out, info, yara.Available, yara.Version())
	return nil
}

// writeVersion prints what info (nil when the binary carries none) says of
// this build: the module version, the VCS commit and its time, the Go
// version, and whether YARA is built in.
func writeVersion(w io.Writer, info *debug.BuildInfo, yaraBuiltIn bool, yaraVersion string) {
	version, goVersion := Version, "unknown"
	var commit, when, modified string
	if info != nil {
		if version == "" {
			version = info.Main.Version
		}
		goVersion = info.GoVersion
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				commit = s.Value
			case "vcs.time":
				when = s.Value
			case "vcs.modified":
				if s.Value == "true" {
					modified = " (with uncommitted changes)"
				}
			}
		}
	}
	if version == "" || version == "(devel)" {
		version = "(devel: built from a source tree)"
	}
	fmt.Fprintf(w, "vigie %s\n", version)
	if commit == "" {
		fmt.Fprintln(w, "commit: unknown (built without version control information)")
	} else {
		fmt.Fprintf(w, "commit: %s%s %s\n", commit, modified, when)
	}
	fmt.Fprintf(w, "go: %s\n", goVersion)
	if yaraBuiltIn {
		fmt.Fprintf(w, "yara: built in (libyara %s)\n", yaraVersion)
	} else {
		fmt.Fprintln(w, "yara: not built in (-tags noyara or no cgo): vigie scan skips YARA indicators")
	}
}

// buildVersion returns the version reports name vigie by: Version, else the
// module version, else "devel".
func buildVersion() string {
	if Version != "" {
		return Version
	}
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return "devel"
}
