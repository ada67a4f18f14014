package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// runPatternCommand runs "vigie pattern ..." in-process with stdin and
// returns its exit status, stdout and stderr.
func runPatternCommand(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Run(context.Background(), append([]string{"pattern"}, args...), Stdio{In: strings.NewReader(stdin), Out: &out, Err: &errb})
	return code, out.String(), errb.String()
}

func TestPatternCheck(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantOut    string
		wantErrOut string
	}{
		{
			name:     "valid pattern prints the canonical form",
			args:     []string{"check", "[file:hashes.'SHA-256'=='aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']"},
			wantCode: 0,
			wantOut:  "[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']\n",
		},
		{
			name:       "warnings go to stderr",
			args:       []string{"check", "[file:hashs.MD5 = 'cead3f77f6cda6ec00f57d76c9a6879f']"},
			wantCode:   0,
			wantOut:    "[file:hashs.MD5 = 'cead3f77f6cda6ec00f57d76c9a6879f']\n",
			wantErrOut: "warning: 1:7: property \"hashs\" is not defined for file; did you mean \"hashes\"?\n",
		},
		{
			name:       "invalid pattern exits 1 with the position",
			args:       []string{"check", "[file:name = 'x' FOO]"},
			wantCode:   1,
			wantErrOut: "invalid pattern: 1:18: expected ']', AND or OR, found identifier \"FOO\"\n",
		},
		{
			name:       "malformed literal exits 1",
			args:       []string{"check", "[a:b = 'x'] REPEATS 0 TIMES"},
			wantCode:   1,
			wantErrOut: "invalid pattern: 1:21: REPEATS needs a count of at least 1, found 0\n",
		},
		{
			name:     "flag after the pattern",
			args:     []string{"check", "[a:b = 1]", "--json"},
			wantCode: 0,
			wantOut:  "{\n  \"valid\": true,\n  \"canonical\": \"[a:b = 1]\",\n  \"warnings\": [\n    \"1:2: object type \\\"a\\\" is not a valid STIX 2.1 type name (3 to 250 characters a-z, 0-9 and '-')\"\n  ]\n}\n",
		},
		{
			name:     "invalid pattern as JSON",
			args:     []string{"check", "--json", "[a:b = ]"},
			wantCode: 1,
			wantOut:  "{\n  \"valid\": false,\n  \"error\": {\n    \"offset\": 7,\n    \"line\": 1,\n    \"column\": 8,\n    \"message\": \"1:8: expected literal, found \\\"]\\\"\"\n  }\n}\n",
		},
		{
			name:       "no pattern is a usage error",
			args:       []string{"check"},
			wantCode:   2,
			wantErrOut: "check takes one pattern, got 0 arguments",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runPatternCommand(t, "", tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit status = %d, want %d (stderr %q)", code, tt.wantCode, errOut)
			}
			if diff := cmp.Diff(tt.wantOut, out); diff != "" {
				t.Errorf("stdout (-want +got):\n%s", diff)
			}
			if tt.wantCode == 2 {
				if !strings.Contains(errOut, tt.wantErrOut) {
					t.Errorf("stderr %q does not contain %q", errOut, tt.wantErrOut)
				}
			} else if diff := cmp.Diff(tt.wantErrOut, errOut); diff != "" {
				t.Errorf("stderr (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPatternMatch(t *testing.T) {
	const bundle = "testdata/pattern/bundle-c2-traffic.json"
	tests := []struct {
		name       string
		args       []string
		stdin      string
		wantCode   int
		wantOut    string
		wantErrOut string
	}{
		{
			name:     "matching observed-data are printed",
			args:     []string{"match", "[domain-name:value = 'c2.example.net'] FOLLOWEDBY [network-traffic:dst_ref.value ISSUBSET '198.51.100.0/24']", bundle},
			wantCode: 0,
			wantOut:  "observed-data--0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6\nobserved-data--1e2f3a4b-5c6d-4e7f-8091-a2b3c4d5e6f7\n",
		},
		{
			name:     "number_observed counts for REPEATS",
			args:     []string{"match", "[network-traffic:dst_port = 443] REPEATS 3 TIMES", bundle},
			wantCode: 0,
			wantOut:  "observed-data--1e2f3a4b-5c6d-4e7f-8091-a2b3c4d5e6f7\n",
		},
		{
			name:       "no match exits 1",
			args:       []string{"match", "[network-traffic:dst_port = 443] REPEATS 4 TIMES", bundle},
			wantCode:   1,
			wantErrOut: "no match in 2 observed-data\n",
		},
		{
			name:     "JSON on a match",
			args:     []string{"match", "--json", "[domain-name:value = 'C2.example.net']", bundle},
			wantCode: 0,
			wantOut:  "{\n  \"pattern\": \"[domain-name:value = 'C2.example.net']\",\n  \"matched\": true,\n  \"observed_data\": [\n    \"observed-data--0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6\"\n  ],\n  \"observations\": 2\n}\n",
		},
		{
			name:     "JSON without a match exits 1",
			args:     []string{"match", "[domain-name:value = 'other.example']", bundle, "--json"},
			wantCode: 1,
			wantOut:  "{\n  \"pattern\": \"[domain-name:value = 'other.example']\",\n  \"matched\": false,\n  \"observed_data\": [],\n  \"observations\": 2\n}\n",
		},
		{
			name:     "STIX 2.0 objects from stdin",
			args:     []string{"match", "[file:hashes.MD5 = 'CEAD3F77F6CDA6EC00F57D76C9A6879F' AND file:name = 'foo.dll']", "-"},
			stdin:    `[{"type": "observed-data", "id": "observed-data--1", "first_observed": "2015-12-21T19:00:00Z", "last_observed": "2015-12-21T19:00:00Z", "number_observed": 1, "objects": {"0": {"type": "file", "name": "foo.dll", "hashes": {"MD5": "cead3f77f6cda6ec00f57d76c9a6879f"}}}}]`,
			wantCode: 0,
			wantOut:  "observed-data--1\n",
		},
		{
			name:     "array of STIX 2.0 observed-data",
			args:     []string{"match", "[file:name = 'foo.dll']", "testdata/pattern/objects-embedded-20.json"},
			wantCode: 0,
			wantOut:  "observed-data--b67d30ff-02ac-498a-92f9-32f845f448cf\n",
		},
		{
			name:       "invalid pattern exits 2",
			args:       []string{"match", "[domain-name:value = ]", bundle},
			wantCode:   2,
			wantErrOut: "vigie pattern: invalid pattern: 1:22: expected literal, found \"]\"\n",
		},
		{
			name:       "invalid file exits 2",
			args:       []string{"match", "[domain-name:value = 'x']", "testdata/pattern/not-json.json"},
			wantCode:   2,
			wantErrOut: "vigie pattern: testdata/pattern/not-json.json: decode observations: unexpected EOF\n",
		},
		{
			name:       "missing file exits 2",
			args:       []string{"match", "[domain-name:value = 'x']", "testdata/pattern/missing.json"},
			wantCode:   2,
			wantErrOut: "vigie pattern: open testdata/pattern/missing.json: no such file or directory\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runPatternCommand(t, tt.stdin, tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit status = %d, want %d (stderr %q)", code, tt.wantCode, errOut)
			}
			if diff := cmp.Diff(tt.wantOut, out); diff != "" {
				t.Errorf("stdout (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantErrOut, errOut); diff != "" {
				t.Errorf("stderr (-want +got):\n%s", diff)
			}
			if strings.Contains(strings.Join(tt.args, " "), "--json") && out != "" && !json.Valid([]byte(out)) {
				t.Errorf("stdout is not JSON: %q", out)
			}
		})
	}
}

func TestPatternUsage(t *testing.T) {
	tests := []struct {
		args     []string
		wantCode int
		want     string
	}{
		{nil, 2, "missing subcommand: check or match"},
		{[]string{"frobnicate"}, 2, `unknown subcommand "frobnicate": use check or match`},
		{[]string{"--help"}, 0, "Usage: vigie pattern check [--json] PATTERN"},
		{[]string{"check", "--help"}, 0, "vigie pattern check \"[file:hashes.'SHA-256' ="},
		{[]string{"match", "--help"}, 0, "Usage: vigie pattern match [--json] PATTERN FILE"},
		{[]string{"match", "[a:b = 1]"}, 2, "match takes a pattern and a file, got 1 arguments"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, _, errOut := runPatternCommand(t, "", tt.args...)
			if code != tt.wantCode || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, errOut, tt.wantCode, tt.want)
			}
		})
	}
}
