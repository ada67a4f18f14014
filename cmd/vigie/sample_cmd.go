package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/api"
	"github.com/vigie-cti/vigie/client"
	"github.com/vigie-cti/vigie/triage"
)

const sampleUsage = `Usage: vigie sample COMMAND [flags]

Commands:
  submit    submit a file to a hub for triage; prints the report and similar samples
  get       the triage report of a sample (by SHA-256) and its similar samples
  similar   the samples similar to one (SHA-256 or a local file) that you may read
  download  a sample as a zip with the password "infected" (--raw: operators only)
  triage    triage a local file here, without a hub (nothing is executed)

Run "vigie sample COMMAND --help" for the flags and examples of one command.
`

const sampleHelp = `Malware triage. A sample is never executed: the hub (or "vigie sample
triage" locally) reads it statically: its type, MD5/SHA-1/SHA-256/SHA-512,
TLSH and ssdeep, entropy, for PE files the imphash, sections, imports,
exports, resources, signature and time stamps (ELF and Mach-O likewise),
its strings and the URLs, domains, addresses, mail addresses, registry
keys and mutex names in them, and zip or gzip members one level deep.

  vigie sample submit --hub URL --key-file FILE --root R --collection ID --tlp AMBER suspicious.exe
      Submit a file (at most the hub's --max-sample-size, 64 MiB by
      default). It is stored compressed, never as a runnable file, and
      published as STIX file, artifact and malware-analysis objects in the
      collection with the TLP marking (--to ORG_ID,... names who may read a
      RED one). Members who hold similar samples and may read yours are
      warned (alert trigger similar-sample) without being told who you are.
  vigie sample get --hub URL --key-file FILE SHA256 [--json]
  vigie sample similar --hub URL --key-file FILE (SHA256|FILE) [--json]
      Similar samples among those you may read: TLSH distance (0 for the
      same file; under about 70, related), ssdeep score (0-100), imphash.
  vigie sample download --hub URL --key-file FILE SHA256 [-o FILE] [--raw]
      A zip whose one member is encrypted with the password "infected"
      (the analysts' convention); --raw gives the bytes, to the hub's
      operators only.
  vigie sample triage [--json] FILE
      The same static triage, on this machine, without a hub.`

// runSample runs the sample commands.
func runSample(ctx context.Context, stdio Stdio, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(stdio.Err, sampleUsage)
		return &exitError{Code: 2}
	}
	verb := args[0]
	switch verb {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdio.Out, sampleUsage)
		return nil
	case "submit", "get", "similar", "download", "triage":
	default:
		fmt.Fprintf(stdio.Err, "vigie sample: unknown command %q\n\n%s", verb, sampleUsage)
		return &exitError{Code: 2}
	}
	var hf hubFlags
	fs := newFlagSet(stdio, "sample "+verb, "vigie sample "+verb+" [flags] ARG", sampleHelp+"\n"+hubFlagsHelp)
	if verb != "triage" {
		hf.register(fs)
	}
	root := fs.String("root", "", "API root of --collection (submit)")
	collection := fs.String("collection", "", "collection the sample's STIX objects are published in (submit)")
	tlp := fs.String("tlp", "", "TLP marking: CLEAR, GREEN, AMBER, AMBER+STRICT, RED (submit; default: the hub's)")
	var to listFlag
	fs.Var(&to, "to", "organisation id that may read a RED sample, repeatable (submit)")
	name := fs.String("name", "", "file name recorded with the sample (submit; default: the file's)")
	out := fs.String("o", "", "where to write the download (default SHA256.zip, or SHA256.bin with --raw)")
	raw := fs.Bool("raw", false, "download the bytes themselves (hub operators only)")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parseInterleaved(fs, args[1:])
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError(fs, "want one argument")
	}
	if verb == "triage" {
		data, err := readSample(pos[0])
		if err != nil {
			return err
		}
		rep := triage.Analyze(data, triage.Options{})
		if *asJSON {
			return printJSON(stdio, rep)
		}
		b, _ := json.Marshal(rep)
		return printSample(stdio, &api.Sample{SHA256: rep.Hashes.SHA256, Size: rep.Size, Type: string(rep.Type), Report: b}, false)
	}
	c, err := hf.apiClient(stdio.In)
	if err != nil {
		return err
	}
	switch verb {
	case "submit":
		if *collection == "" || *root == "" {
			return usageError(fs, "want --root and --collection: where the sample's STIX objects are published")
		}
		if *tlp != "" {
			if _, err := vigie.ParseTLP(*tlp); err != nil {
				return usageError(fs, vigie.ErrorMessage(err))
			}
		}
		data, err := readSample(pos[0])
		if err != nil {
			return err
		}
		n := *name
		if n == "" {
			n = filepath.Base(pos[0])
		}
		s, err := c.SubmitSample(ctx, n, data, client.Share{Root: *root, Collection: *collection, TLP: *tlp}, to)
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(stdio, s)
		}
		if s.Existing {
			fmt.Fprintln(stdio.Out, "your organisation had submitted this sample already; its report:")
		}
		return printSample(stdio, s, true)
	case "get":
		s, err := c.Sample(ctx, pos[0])
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(stdio, s)
		}
		return printSample(stdio, s, true)
	case "similar":
		sha := pos[0]
		if !vigie.ValidSHA256(sha) {
			data, err := readSample(sha)
			if err != nil {
				return fmt.Errorf("%s is neither a SHA-256 nor a readable file: %w", sha, err)
			}
			sum := sha256.Sum256(data)
			sha = hex.EncodeToString(sum[:])
		}
		list, err := c.SimilarSamples(ctx, sha, 0)
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(stdio, list)
		}
		return printSimilar(stdio, list)
	case "download":
		data, err := c.DownloadSample(ctx, pos[0], *raw)
		if err != nil {
			return err
		}
		path := *out
		if path == "" {
			path = pos[0] + ".zip"
			if *raw {
				path = pos[0] + ".bin"
			}
		}
		// Never executable, whatever the umask.
		if err := os.WriteFile(path, data, 0o600); err != nil {
			return err
		}
		if *raw {
			fmt.Fprintf(stdio.Out, "wrote %s (%d bytes, the sample itself: do not run it)\n", path, len(data))
		} else {
			fmt.Fprintf(stdio.Out, "wrote %s (%d bytes; zip password %q)\n", path, len(data), "infected")
		}
	}
	return nil
}

// readSample reads a file of at most 1 GiB.
func readSample(path string) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	if st.Size() > 1<<30 {
		return nil, fmt.Errorf("%s is over 1 GiB", path)
	}
	return os.ReadFile(path)
}

func printSample(stdio Stdio, s *api.Sample, withSimilar bool) error {
	var rep triage.Report
	if err := json.Unmarshal(s.Report, &rep); err != nil {
		return fmt.Errorf("the report is not readable: %w", err)
	}
	tw := tabwriter.NewWriter(stdio.Out, 0, 4, 2, ' ', 0)
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(tw, "%s\t%s\n", k, v)
		}
	}
	row("sha256", rep.Hashes.SHA256)
	row("name", s.Name)
	row("type", string(rep.Type))
	row("size", fmt.Sprint(rep.Size))
	row("md5", rep.Hashes.MD5)
	row("sha1", rep.Hashes.SHA1)
	row("tlsh", rep.TLSH)
	row("ssdeep", rep.SSDEEP)
	row("entropy", fmt.Sprintf("%.3f", rep.Entropy))
	row("tlp", s.TLP)
	if s.Collection != "" {
		row("collection", s.Root+"/"+s.Collection)
	}
	row("analysis", s.AnalysisID)
	row("detections", strings.Join(rep.Detections, ", "))
	if pe := rep.PE; pe != nil {
		row("pe", fmt.Sprintf("%s %d-bit %s, %s, compiled %s", pe.Machine, pe.Bits, pe.Kind, pe.Subsystem, pe.Compiled.Format("2006-01-02 15:04:05Z")))
		row("imphash", pe.Imphash)
		row("pdb", pe.PDB)
		if pe.Signature != nil {
			row("signature", fmt.Sprintf("%s, %d bytes (not verified)", pe.Signature.Type, pe.Signature.Size))
			for _, c := range pe.Signature.Certificates {
				role := "certificate"
				if c.Signer {
					role = "signer"
				}
				row(role, fmt.Sprintf("%s (issuer %s, serial %s, valid %s to %s)", c.Subject, c.Issuer, c.Serial,
					c.NotBefore.Format("2006-01-02"), c.NotAfter.Format("2006-01-02")))
			}
		}
		for _, imp := range pe.Imports {
			row("import", imp.DLL+": "+strings.Join(imp.Functions, " "))
		}
	}
	if e := rep.ELF; e != nil {
		row("elf", fmt.Sprintf("%s %s %s, entry 0x%x", e.Class, e.Machine, e.Kind, e.Entry))
		row("libraries", strings.Join(e.Libraries, " "))
	}
	if m := rep.MachO; m != nil {
		row("macho", fmt.Sprintf("%s %s", m.CPU, m.Kind))
		row("libraries", strings.Join(m.Libraries, " "))
	}
	if a := rep.Archive; a != nil {
		for _, m := range a.Members {
			row("member", fmt.Sprintf("%s (%s, %d bytes) %s", m.Name, m.Type, m.Size, m.Note))
		}
		row("refused", a.Refused)
	}
	for _, y := range s.YARA {
		row("yara", y.Rule+" (indicator "+y.Indicator+")")
	}
	for _, ind := range s.Indicators {
		row("indicator", ind.Name+" ("+ind.ID+") names this file")
	}
	for _, o := range rep.Observables {
		row("observable", o.Kind+" "+o.Value)
	}
	for _, n := range rep.Notes {
		row("note", n)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if sections := sectionsOf(&rep); len(sections) > 0 {
		fmt.Fprintln(stdio.Out)
		tw := tabwriter.NewWriter(stdio.Out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "SECTION\tFLAGS\tOFFSET\tSIZE\tENTROPY")
		for _, sec := range sections {
			fmt.Fprintf(tw, "%s\t%s\t0x%x\t%d\t%.3f\n", sec.Name, sec.Flags, sec.Offset, sec.Size, sec.Entropy)
		}
		tw.Flush()
	}
	if withSimilar {
		fmt.Fprintln(stdio.Out)
		return printSimilar(stdio, s.Similar)
	}
	return nil
}

func sectionsOf(r *triage.Report) []triage.Section {
	switch {
	case r.PE != nil:
		return r.PE.Sections
	case r.ELF != nil:
		return r.ELF.Sections
	case r.MachO != nil:
		return r.MachO.Sections
	}
	return nil
}

func printSimilar(stdio Stdio, list []api.SimilarSample) error {
	if len(list) == 0 {
		fmt.Fprintln(stdio.Out, "no similar sample among those you may read")
		return nil
	}
	tw := tabwriter.NewWriter(stdio.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SIMILAR SAMPLE\tTYPE\tSIZE\tTLSH\tSSDEEP\tIMPHASH\tTLP\tYOURS")
	for _, s := range list {
		d := "-"
		if s.TLSHDistance >= 0 {
			d = fmt.Sprint(s.TLSHDistance)
		}
		imp := ""
		if s.ImphashEqual {
			imp = "same"
		}
		yours := ""
		if s.Yours {
			yours = "yes"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%d\t%s\t%s\t%s\n", s.SHA256, s.Type, s.Size, d, s.SSDEEPScore, imp, s.TLP, yours)
	}
	return tw.Flush()
}
