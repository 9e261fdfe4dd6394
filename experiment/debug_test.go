package experiment

import (
	"context"
	"os"
	"testing"
)

// TestReproduceQuickManual runs the real quick preset into $ICL_QUICK_OUT
// (minutes of training); it is skipped unless that variable is set.
func TestReproduceQuickManual(t *testing.T) {
	dir := os.Getenv("ICL_QUICK_OUT")
	if dir == "" {
		t.Skip("set ICL_QUICK_OUT=DIR to run the quick preset end to end")
	}
	if err := Reproduce(context.Background(), Options{Preset: "quick", OutDir: dir, Progress: os.Stderr}); err != nil {
		t.Fatal(err)
	}
}
