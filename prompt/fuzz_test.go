package prompt

import (
	"bytes"
	"reflect"
	"testing"

	"gopkg.in/yaml.v3"

	"icl/config"
	"icl/task"
)

// FuzzDecodeConfig decodes arbitrary YAML as a prompt config (as `icl sample
// -config` does): it must not panic, and a config that validates must survive
// its own YAML (the config_yaml a prompts file carries) unchanged.
func FuzzDecodeConfig(f *testing.F) {
	f.Add([]byte("task: {class: sparse_linear, k: 2}\ndim: 8\npoints: 17\nprompts: 4\nseed: 3\n"))
	f.Add([]byte("task:\n  class: mixture\n  weights: [0.5, 0.5]\n  of: [{class: dense_linear, std: inv_sqrt_d}, {class: sinusoid}]\ndim: 4\nsetting: {input: skewed, query: orthogonal}\n"))
	f.Add([]byte("dim: 2.5\n"))
	if y, err := yaml.Marshal(DefaultConfig()); err == nil {
		f.Add(y)
	}
	fresh := func() Config { // as LoadConfig starts
		c := DefaultConfig()
		c.Task = task.Spec{}
		return c
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c := fresh()
		if err := config.Decode(bytes.NewReader(data), &c); err != nil || c.Validate() != nil {
			return
		}
		y, err := yaml.Marshal(c)
		if err != nil {
			t.Fatalf("YAML of a valid config: %v", err)
		}
		back := fresh()
		if err := config.Decode(bytes.NewReader(y), &back); err != nil {
			t.Fatalf("the YAML of a valid config does not decode: %v\n%s", err, y)
		}
		if !reflect.DeepEqual(back, c) {
			t.Fatalf("round trip changed the config:\n%+v\n%+v\n%s", c, back, y)
		}
	})
}
