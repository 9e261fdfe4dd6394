package optim

import (
	"errors"
	"fmt"
	"icl/config"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// Two AdamW steps against values worked out by hand from the closed forms
// step 1: mhat = g1, vhat = g1^2, so p1 = p0 (1 - lr wd) - lr g1/(|g1| + eps);
// step 2: mhat = (b1 g1 + g2)/(1 + b1), vhat = (b2 g1^2 + g2^2)/(1 + b2),
// p2 = p1 (1 - lr wd) - lr mhat/(sqrt(vhat) + eps),
// with lr 0.1, betas (0.9, 0.999), eps 1e-8.
func TestAdamWTwoSteps(t *testing.T) {
	g1 := []float32{0.1, -0.2, 0}
	g2 := []float32{0.3, 0.4, -0.05}
	for _, tc := range []struct {
		wd     float64
		p1, p2 []float64
	}{
		{0, []float64{0.900000010, -1.900000005, 0.5}, []float64{0.808221902, -1.936610357, 0.574413661}},
		{0.1, []float64{0.890000010, -1.880000005, 0.495}, []float64{0.789321902, -1.897810356, 0.564463661}},
	} {
		p := []float32{1, -2, 0.5}
		o := NewAdamW(3, 0.9, 0.999, 1e-8, tc.wd)
		o.Update(p, g1, 0.1)
		for i := range p {
			if math.Abs(float64(p[i])-tc.p1[i]) > 1e-6 {
				t.Errorf("wd %v step 1: p[%d] = %.9f, want %.9f", tc.wd, i, p[i], tc.p1[i])
			}
		}
		o.Update(p, g2, 0.1)
		for i := range p {
			if math.Abs(float64(p[i])-tc.p2[i]) > 1e-6 {
				t.Errorf("wd %v step 2: p[%d] = %.9f, want %.9f", tc.wd, i, p[i], tc.p2[i])
			}
		}
		if o.Step != 2 {
			t.Errorf("Step = %d, want 2", o.Step)
		}
		// Moments: m2 = b1 (1-b1) g1 + (1-b1) g2, v2 = b2 (1-b2) g1^2 + (1-b2) g2^2.
		for i := range p {
			a, b := float64(g1[i]), float64(g2[i])
			m := 0.9*0.1*a + 0.1*b
			v := 0.999*0.001*a*a + 0.001*b*b
			if math.Abs(float64(o.M[i])-m) > 1e-8 || math.Abs(float64(o.V[i])-v) > 1e-10 {
				t.Errorf("moments[%d] = (%g, %g), want (%g, %g)", i, o.M[i], o.V[i], m, v)
			}
		}
	}
}

// With zero gradients only the decay acts: p_k = p_0 (1 - lr wd)^k.
func TestAdamWDecayOnly(t *testing.T) {
	p := []float32{3, -1}
	o := DefaultAdamW()
	o.WeightDecay = 0.5
	opt := o.New(2)
	for k := 0; k < 3; k++ {
		opt.Update(p, []float32{0, 0}, 0.2)
	}
	want := 0.9 * 0.9 * 0.9
	if math.Abs(float64(p[0])-3*want) > 1e-6 || math.Abs(float64(p[1])+want) > 1e-6 {
		t.Errorf("p = %v, want [%v %v]", p, 3*want, -want)
	}
}

func TestClipGradNorm(t *testing.T) {
	g := []float32{3, 4} // norm 5
	if n := ClipGradNorm(g, 10); n != 5 || g[0] != 3 || g[1] != 4 {
		t.Errorf("no clip: norm %v, g %v; want 5, [3 4]", n, g)
	}
	if n := ClipGradNorm(g, 0); n != 5 || g[0] != 3 {
		t.Errorf("maxNorm 0: norm %v, g %v; want 5, unchanged", n, g)
	}
	n := ClipGradNorm(g, 1)
	// factor 1/(5 + 1e-6)
	if n != 5 || math.Abs(float64(g[0])-0.6) > 1e-6 || math.Abs(float64(g[1])-0.8) > 1e-6 {
		t.Errorf("clip to 1: norm %v, g %v; want 5, [0.6 0.8]", n, g)
	}
	// A long vector spanning many chunks: norm of n ones is sqrt(n), independent of
	// GOMAXPROCS bit for bit.
	big := make([]float32, 5*normChunk+7)
	for i := range big {
		big[i] = 1
	}
	var norms []float64
	for _, procs := range []int{1, 2, 3} {
		old := runtime.GOMAXPROCS(procs)
		norms = append(norms, GradNorm(big))
		runtime.GOMAXPROCS(old)
	}
	if math.Abs(norms[0]-math.Sqrt(float64(len(big)))) > 1e-9 || norms[0] != norms[1] || norms[1] != norms[2] {
		t.Errorf("GradNorm over procs 1,2,3 = %v, want sqrt(%d) each, identical", norms, len(big))
	}
}

func TestSchedules(t *testing.T) {
	if Constant(0.3).LR(1000) != 0.3 {
		t.Error("Constant")
	}
	s := WarmupCosine{Base: 1, Min: 0.1, Warmup: 4, Total: 14}
	for _, tc := range []struct {
		step int
		want float64
	}{
		{0, 0.25}, {1, 0.5}, {3, 1}, {4, 1},
		{9, 0.1 + 0.9*0.5}, // halfway through the cosine
		{14, 0.1}, {100, 0.1},
	} {
		if got := s.LR(tc.step); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("LR(%d) = %v, want %v", tc.step, got, tc.want)
		}
	}
}

func TestScheduleConfig(t *testing.T) {
	s, err := ScheduleConfig{Kind: "warmup_cosine", LR: 1e-3, MinLR: 1e-4, WarmupSteps: 10}.Build(110)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.LR(60); math.Abs(got-(1e-4+0.9e-3*0.5)) > 1e-15 {
		t.Errorf("LR(60) = %v", got)
	}
	if s, err := (ScheduleConfig{LR: 2e-4}).Build(5); err != nil || s.LR(3) != 2e-4 {
		t.Errorf("empty kind: %v, %v; want constant 2e-4", s, err)
	}
	for _, tc := range []struct {
		c     ScheduleConfig
		total int
		field string
	}{
		{ScheduleConfig{Kind: "linear", LR: 1}, 10, "kind"},
		{ScheduleConfig{Kind: "constant", LR: 0}, 10, "lr"},
		{ScheduleConfig{Kind: "warmup_cosine", LR: 1, MinLR: 2}, 10, "min_lr"},
		{ScheduleConfig{Kind: "warmup_cosine", LR: 1, WarmupSteps: -1}, 10, "warmup_steps"},
		{ScheduleConfig{Kind: "warmup_cosine", LR: 1, WarmupSteps: 10}, 10, "warmup_steps"},
		{ScheduleConfig{Kind: "warmup_cosine", LR: 1, WarmupSteps: 10, DecaySteps: 10}, 100, "decay_steps"},
		{ScheduleConfig{Kind: "warmup_cosine", LR: 1, DecaySteps: -5}, 100, "decay_steps"},
		{ScheduleConfig{Kind: "constant", LR: 1, DecaySteps: 100}, 100, "decay_steps"},
	} {
		_, err := tc.c.Build(tc.total)
		var ce *config.Error
		if !errors.As(err, &ce) || ce.Path != tc.field || !strings.Contains(err.Error(), tc.field) {
			t.Errorf("%+v: err %v, want a *config.Error on %s", tc.c, err, tc.field)
		}
	}
}

// A run of 100 steps on a 310-step cosine has the learning rates of the first
// 100 steps of a 310-step run.
func TestScheduleDecaySteps(t *testing.T) {
	c := ScheduleConfig{Kind: "warmup_cosine", LR: 1e-3, MinLR: 1e-4, WarmupSteps: 10}
	long, err := c.Build(310)
	if err != nil {
		t.Fatal(err)
	}
	c.DecaySteps = 310
	short, err := c.Build(100)
	if err != nil {
		t.Fatal(err)
	}
	for k := 0; k < 100; k++ {
		if short.LR(k) != long.LR(k) {
			t.Fatalf("step %d: %v with decay_steps 310, %v in a 310-step run", k, short.LR(k), long.LR(k))
		}
	}
	// Halfway down the cosine (step 10 + 300/2) the rate is the mean of lr and min_lr.
	if got := short.LR(160); math.Abs(got-0.55e-3) > 1e-15 {
		t.Errorf("LR(160) = %v, want 5.5e-4", got)
	}
	// Shorter than the run: min_lr from decay_steps on.
	c.DecaySteps = 50
	s, err := c.Build(100)
	if err != nil {
		t.Fatal(err)
	}
	if s.LR(50) != 1e-4 || s.LR(99) != 1e-4 || !(s.LR(49) > 1e-4) {
		t.Errorf("decay_steps 50: LR(49, 50, 99) = %v, %v, %v; want > 1e-4, then 1e-4", s.LR(49), s.LR(50), s.LR(99))
	}
	// A run shorter than the warmup is allowed when the cosine's horizon is set.
	c.DecaySteps = 310
	if _, err := c.Build(5); err != nil {
		t.Errorf("5 steps of a 310-step schedule: %v", err)
	}
}

func TestAdamWConfigValidate(t *testing.T) {
	if err := DefaultAdamW().Validate(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		c     AdamWConfig
		field string
	}{
		{AdamWConfig{Beta1: 1, Beta2: 0.9, Eps: 1e-8}, "beta1"},
		{AdamWConfig{Beta1: 0.9, Beta2: -0.1, Eps: 1e-8}, "beta2"},
		{AdamWConfig{Beta1: 0.9, Beta2: 0.9, Eps: 0}, "eps"},
		{AdamWConfig{Beta1: 0.9, Beta2: 0.9, Eps: 1e-8, WeightDecay: math.NaN()}, "weight_decay"},
	} {
		var ce *config.Error
		if err := tc.c.Validate(); !errors.As(err, &ce) || ce.Path != tc.field {
			t.Errorf("%+v: err %v, want field %s", tc.c, err, tc.field)
		}
	}
}

// Example: one AdamW step on f(p) = p^2 / 2 (gradient p) moves p by lr toward 0.
func ExampleAdamW() {
	p := []float32{2}
	opt := DefaultAdamW().New(1)
	opt.Update(p, []float32{p[0]}, 0.5)
	fmt.Printf("%.4f\n", p[0])
	// Output: 1.5000
}

// TestCooldown checks the cooldown against its closed form: the inner
// schedule before Start, a straight line from the inner rate at Start to Min
// at the last step, Min after.
func TestCooldown(t *testing.T) {
	in := WarmupCosine{Base: 1e-3, Min: 1e-5, Warmup: 10, Total: 200}
	s, err := ScheduleConfig{Kind: KindWarmupCosine, LR: 1e-3, MinLR: 1e-5, WarmupSteps: 10, DecaySteps: 200, CooldownSteps: 40}.Build(100)
	if err != nil {
		t.Fatal(err)
	}
	start := in.LR(60)
	for step := range 110 {
		var want float64
		switch {
		case step < 60:
			want = in.LR(step)
		case step < 99:
			want = start - (start-1e-5)*float64(step-60)/39
		default:
			want = 1e-5
		}
		if got := s.LR(step); math.Abs(got-want) > 1e-12*start {
			t.Errorf("step %d: lr %g, want %g", step, got, want)
		}
	}
	if s.LR(59) != in.LR(59) || s.LR(60) != start {
		t.Error("the cooldown is not continuous with its inner schedule")
	}
	for _, tc := range []struct {
		c     ScheduleConfig
		steps int
		field string
	}{
		{ScheduleConfig{LR: 1, CooldownSteps: -1}, 10, "cooldown_steps"},
		{ScheduleConfig{LR: 1, CooldownSteps: 10}, 10, "cooldown_steps"},
		{ScheduleConfig{LR: 1, MinLR: 2, CooldownSteps: 5}, 10, "min_lr"},
	} {
		_, err := tc.c.Build(tc.steps)
		var ce *config.Error
		if !errors.As(err, &ce) || !strings.Contains(err.Error(), tc.field) {
			t.Errorf("%+v: error %v, want one naming %s", tc.c, err, tc.field)
		}
	}
}

// The vector kernel and adamwScalar give the same bits, entry by entry, over
// several steps with weight decay (Update splits n = 45 into 40 vector
// entries and a scalar tail), and both stay within float32 rounding of the
// float64 AdamW.
func TestAdamWVectorMatchesScalar(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	n := 45
	p := make([]float32, n)
	for i := range p {
		p[i] = float32(r.NormFloat64())
	}
	p2 := slices.Clone(p)
	p64 := make([]float64, n)
	for i, v := range p {
		p64[i] = float64(v)
	}
	m64, v64 := make([]float64, n), make([]float64, n)
	o := NewAdamW(n, 0.9, 0.999, 1e-8, 0.1)
	m2, v2 := make([]float32, n), make([]float32, n)
	for step := 1; step <= 5; step++ {
		g := make([]float32, n)
		for i := range g {
			g[i] = float32(r.NormFloat64() * 0.1)
		}
		lr := 1e-2
		o.Update(p, g, lr)
		bc1, bc2 := 1-math.Pow(0.9, float64(step)), 1-math.Pow(0.999, float64(step))
		c := [8]float32{0.9, 0.1, 0.999, float32(1 - 0.999), float32(1 - lr*0.1), float32(lr / bc1), float32(1 / math.Sqrt(bc2)), 1e-8}
		adamwScalar(p2, g, m2, v2, &c)
		if !slices.Equal(p, p2) || !slices.Equal(o.M, m2) || !slices.Equal(o.V, v2) {
			t.Fatalf("step %d: Update and adamwScalar differ", step)
		}
		for i := range p64 {
			gi := float64(g[i])
			m64[i] = 0.9*m64[i] + 0.1*gi
			v64[i] = 0.999*v64[i] + 0.001*gi*gi
			p64[i] = p64[i]*(1-lr*0.1) - lr/bc1*m64[i]/(math.Sqrt(v64[i])/math.Sqrt(bc2)+1e-8)
			if math.Abs(float64(p[i])-p64[i]) > 1e-5 {
				t.Fatalf("step %d: p[%d] = %v, float64 AdamW %v", step, i, p[i], p64[i])
			}
		}
	}
}

// warmup_constant rises linearly over warmup_steps and then holds lr; with
// cooldown_steps it falls linearly to min_lr over the run's last steps; it
// may carry min_lr without a cooldown (its cooldown branches set only
// cooldown_steps).
func TestWarmupConstant(t *testing.T) {
	s, err := ScheduleConfig{Kind: KindWarmupConstant, LR: 1e-3, MinLR: 1e-5, WarmupSteps: 4}.Build(100)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		step int
		want float64
	}{{0, 0.25e-3}, {1, 0.5e-3}, {3, 1e-3}, {4, 1e-3}, {99, 1e-3}, {5000, 1e-3}} {
		if got := s.LR(tc.step); math.Abs(got-tc.want) > 1e-15 {
			t.Errorf("LR(%d) = %v, want %v", tc.step, got, tc.want)
		}
	}
	c, err := ScheduleConfig{Kind: KindWarmupConstant, LR: 1e-3, MinLR: 1e-5, WarmupSteps: 4, CooldownSteps: 11}.Build(100)
	if err != nil {
		t.Fatal(err)
	}
	for step := range 100 {
		want := 1e-3
		switch {
		case step < 4:
			want = 1e-3 * float64(step+1) / 4
		case step >= 89:
			want = 1e-3 + (1e-5-1e-3)*float64(step-89)/10
		}
		if got := c.LR(step); math.Abs(got-want) > 1e-15 {
			t.Errorf("cooldown: LR(%d) = %v, want %v", step, got, want)
		}
	}
	for _, tc := range []struct {
		c     ScheduleConfig
		total int
		field string
	}{
		{ScheduleConfig{Kind: KindWarmupConstant, LR: 1, WarmupSteps: -1}, 10, "warmup_steps"},
		{ScheduleConfig{Kind: KindWarmupConstant, LR: 1, WarmupSteps: 10}, 10, "warmup_steps"},
		{ScheduleConfig{Kind: KindWarmupConstant, LR: 1, DecaySteps: 50}, 100, "decay_steps"},
		{ScheduleConfig{Kind: KindWarmupConstant, LR: 1, MinLR: 2}, 100, "min_lr"},
		{ScheduleConfig{Kind: KindConstant, LR: 1, WarmupSteps: 3}, 100, "warmup_steps"},
	} {
		_, err := tc.c.Build(tc.total)
		var ce *config.Error
		if !errors.As(err, &ce) || ce.Path != tc.field {
			t.Errorf("%+v: err %v, want a *config.Error on %s", tc.c, err, tc.field)
		}
	}
}
