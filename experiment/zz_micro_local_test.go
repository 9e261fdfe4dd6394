package experiment

import (
	"context"
	"os"
	"testing"
)

func TestMicroLocal(t *testing.T) {
	dir := os.Getenv("ICL_MICRO_OUT")
	if dir == "" {
		t.Skip()
	}
	if err := Reproduce(context.Background(), Options{Preset: "micro", OutDir: dir, Progress: os.Stderr, Scale: microScale()}); err != nil {
		t.Fatal(err)
	}
}
