package web

import "testing"

func TestCSVSafe(t *testing.T) {
	for in, want := range map[string]string{
		"":                        "",
		"Lantern C2 198.51.100.2": "Lantern C2 198.51.100.2",
		"=1+1":                    "'=1+1",
		"+33 1 23":                "'+33 1 23",
		"-2+3":                    "'-2+3",
		"@SUM(A1)":                "'@SUM(A1)",
		"\t=1":                    "'\t=1",
		"\r=1":                    "'\r=1",
		"a=1":                     "a=1",
		"'=1":                     "'=1",
	} {
		if got := csvSafe(in); got != want {
			t.Errorf("csvSafe(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzCSVSafe(f *testing.F) {
	f.Add("=cmd|' /C calc'!A0")
	f.Fuzz(func(t *testing.T, s string) {
		got := csvSafe(s)
		if got != "" && (got[0] == '=' || got[0] == '+' || got[0] == '-' || got[0] == '@' || got[0] == '\t' || got[0] == '\r') {
			t.Errorf("csvSafe(%q) = %q starts with a formula character", s, got)
		}
	})
}
