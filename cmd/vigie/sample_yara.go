package main

import (
	"time"

	"github.com/vigie-cti/vigie/hub"
	"github.com/vigie-cti/vigie/sensor/yara"
	"github.com/vigie-cti/vigie/triage"
)

// yaraRules compiles the YARA indicators a submitter may read with
// libyara (sensor/yara), for the triage of its sample. In a build
// without YARA it compiles nothing and samples are triaged without it.
type yaraRules struct{}

// sampleYARATimeout bounds the time rules may take on one sample.
const sampleYARATimeout = 20 * time.Second

func (yaraRules) Compile(srcs []hub.RuleSource) (triage.RuleScanner, func(), error) {
	ys := make([]yara.Source, len(srcs))
	for i, s := range srcs {
		ys[i] = yara.Source{Namespace: s.Namespace, Text: s.Text}
	}
	rules, _, err := yara.Compile(ys) // rules that do not compile are left out
	if err != nil || rules == nil {
		return nil, func() {}, err
	}
	sc, err := rules.NewScanner(sampleYARATimeout)
	if err != nil {
		rules.Destroy()
		return nil, func() {}, err
	}
	return sc, func() { sc.Close(); rules.Destroy() }, nil
}
