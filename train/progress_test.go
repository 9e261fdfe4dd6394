package train

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestFmtDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                                 "0:00",
		59 * time.Second:                  "0:59",
		61 * time.Second:                  "1:01",
		3*time.Hour + 2*time.Minute + 5e9: "3:02:05",
	} {
		if got := FormatDuration(d); got != want {
			t.Errorf("FormatDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestProgressModes(t *testing.T) {
	st := status{Step: 50, Loss: 0.5, LR: 1e-3, Stage: Stage{5, 11}, Rate: 10}
	now := time.Now()

	var b bytes.Buffer
	p := &progress{w: &b, term: true, total: 100}
	p.live(st, now, false)
	p.live(st, now.Add(time.Millisecond), false) // within the redraw interval: skipped
	p.logLine(st)                                // terminal: no plain lines
	if got := strings.Count(b.String(), "\r"); got != 1 {
		t.Errorf("terminal: %d redraws, want 1: %q", got, b.String())
	}
	if !strings.Contains(b.String(), "step 50/100") || !strings.Contains(b.String(), "ETA 0:05") {
		t.Errorf("terminal line lacks step or ETA: %q", b.String())
	}

	b.Reset()
	p = &progress{w: &b, term: false, total: 100}
	p.live(st, now, true)
	p.logLine(st)
	if strings.Contains(b.String(), "\r") || strings.Count(b.String(), "\n") != 1 {
		t.Errorf("plain: want one line without \\r, got %q", b.String())
	}

	b.Reset()
	p = &progress{w: &b, term: false, quiet: true, total: 100}
	p.logLine(st)
	p.message(false, "chatter")
	p.message(true, "warning")
	if b.String() != "warning\n" {
		t.Errorf("quiet: got %q, want only the important message", b.String())
	}
}
