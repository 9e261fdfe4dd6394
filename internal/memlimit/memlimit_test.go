package memlimit

import (
	"errors"
	"runtime"
	"strings"
	"testing"
)

func TestAvailable(t *testing.T) {
	b, src := Available()
	if !(b > 0) || src == "" {
		t.Errorf("Available = %g (%q)", b, src)
	}
	if runtime.GOOS == "linux" && b == Cap && strings.Contains(src, "Cap") {
		t.Errorf("on Linux the budget should come from the system, got %q", src)
	}
}

func TestCheck(t *testing.T) {
	parts := []Part{
		{"parameters", 3 << 30, "model.width = 1000"},
		{"activations", 9 << 30, "train.batch = 4096"},
	}
	if err := check("training", 16<<30, "test", parts); err != nil {
		t.Errorf("12 GiB of 16: %v", err)
	}
	err := check("training", 8<<30, "test", parts)
	var me *Error
	if !errors.As(err, &me) || me.Need != 12<<30 || me.Largest.What != "activations" {
		t.Fatalf("12 GiB of 8: %v", err)
	}
	for _, want := range []string{"training needs an estimated 12 GiB", "8 GiB available (test)", "activations, 9 GiB, from train.batch = 4096"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q lacks %q", err, want)
		}
	}
	if err := Check("x", Part{"all", 1e30, "s"}); err == nil {
		t.Error("1e30 bytes accepted")
	}
}

func TestHuman(t *testing.T) {
	for _, c := range []struct {
		b    float64
		want string
	}{{0, "0 bytes"}, {1023, "1023 bytes"}, {1536, "1.5 KiB"}, {5 << 40, "5 TiB"}, {1e30, "8.67e+11 EiB"}} {
		if got := Human(c.b); got != c.want {
			t.Errorf("Human(%g) = %q, want %q", c.b, got, c.want)
		}
	}
}
