package scan

import (
	"context"
	"testing"
	"time"

	"github.com/vigie-cti/vigie/sensor"
)

// TestLiveWakesOncePerIndicatorAndPeriod: in live mode, only the first hit
// of an indicator in a period asks for an immediate send.
func TestLiveWakesOncePerIndicatorAndPeriod(t *testing.T) {
	r := NewReporter(func(context.Context, *sensor.Sightings) (int, error) { return 0, nil })
	wake := r.goLive()
	hit := func(id string) sensor.Hit {
		return sensor.Hit{Time: time.Unix(1700000000, 0), Indicator: &sensor.Indicator{ID: id}}
	}
	steps := []struct {
		indicator string
		newPeriod bool
		wakes     bool
	}{
		{"indicator--a", false, true},
		{"indicator--a", false, false}, // already sent this period
		{"indicator--b", false, true},
		{"indicator--a", false, false},
		{"indicator--a", true, true}, // a new period
		{"indicator--b", false, true},
	}
	for i, s := range steps {
		if s.newPeriod {
			r.newPeriod()
		}
		r.Add(hit(s.indicator))
		woke := false
		select {
		case <-wake:
			woke = true
		default:
		}
		if woke != s.wakes {
			t.Errorf("step %d (%s): woke %v, want %v", i, s.indicator, woke, s.wakes)
		}
	}
}
