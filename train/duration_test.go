package train

import (
	"testing"
	"time"
)

func TestFormatDuration(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{0, "0:00"},
		{-5 * time.Second, "0:00"},
		{59*time.Second + 600*time.Millisecond, "1:00"},
		{3599 * time.Second, "59:59"},
		{3725 * time.Second, "1:02:05"},
		{27 * time.Hour, "27:00:00"},
	} {
		if got := FormatDuration(tc.d); got != tc.want {
			t.Errorf("FormatDuration(%v) = %s, want %s", tc.d, got, tc.want)
		}
	}
}
