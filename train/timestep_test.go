package train

import (
	"testing"

	"icl/gpt"
)

func TestTimeStep(t *testing.T) {
	c := gpt.Config{Dim: 3, Points: 5, Layers: 1, Width: 16, Heads: 2}
	st, err := TimeStep(c, gpt.FP32, 4, 2, 0)
	if err != nil {
		t.Fatal(err)
	}
	if st.Forward <= 0 || st.Backward <= 0 || st.Update <= 0 {
		t.Errorf("step parts %+v, want all > 0", st)
	}
	if got, want := st.Total(), st.Forward+st.Backward+st.Update; got != want {
		t.Errorf("Total = %v, want the sum %v", got, want)
	}
	c.Heads = 3 // 16 is not a multiple of 3
	if _, err := TimeStep(c, gpt.FP32, 4, 2, 0); err == nil {
		t.Error("invalid config: no error")
	}
}
