package task

import (
	"errors"
	"icl/config"
	"math"
	"reflect"
	"strings"
	"testing"
)

func TestSpecValidateErrors(t *testing.T) {
	lin := Spec{Class: "dense_linear"}
	cases := []struct {
		name string
		s    Spec
		want []string // exact error lines, in order
	}{
		{"unknown class", Spec{Class: "foo"}, []string{`task.class: "foo" unknown; allowed: dense_linear, sparse_linear, sinusoid, convex, mixture, quadratic, relu_2nn, decision_tree, linear_classification, pool`}},
		{"missing class", Spec{}, []string{`task.class: missing; allowed: dense_linear, sparse_linear, sinusoid, convex, mixture, quadratic, relu_2nn, decision_tree, linear_classification, pool`}},
		{"k > d nested", Spec{Class: "mixture", Of: []Spec{lin, {Class: "sparse_linear", K: 25}}},
			[]string{"task.of[1].k: 25 > d = 20; allowed 1..20"}},
		{"k = 0", Spec{Class: "sparse_linear"}, []string{"task.k: 0; allowed 1..20"}},
		{"weights sum", Spec{Class: "mixture", Of: []Spec{lin, lin}, Weights: []float64{0.5, 0.4}},
			[]string{"task.weights: sum to 0.9, must sum to 1"}},
		{"weights count", Spec{Class: "mixture", Of: []Spec{lin, lin}, Weights: []float64{1}},
			[]string{"task.weights: has 1 entries for 2 classes in of; need one per class"}},
		{"negative weight", Spec{Class: "mixture", Of: []Spec{lin, lin}, Weights: []float64{1.5, -0.5}},
			[]string{"task.weights[1]: -0.5 must be >= 0 and finite"}},
		{"negative noise", Spec{Class: "dense_linear", Noise: -1}, []string{"task.noise: -1 must be >= 0 and finite"}},
		{"unused field", Spec{Class: "dense_linear", K: 3},
			[]string{"task.k: set, but class dense_linear does not use it; its fields: class, noise, std"}},
		{"convex arity", Spec{Class: "convex", Alpha: 0.5, Of: []Spec{lin}},
			[]string{"task.of: has 1 classes; convex needs exactly 2"}},
		{"alpha range", Spec{Class: "convex", Alpha: 1.5, Of: []Spec{lin, lin}}, []string{"task.alpha: 1.5; allowed 0..1"}},
		{"omega order", Spec{Class: "sinusoid", OmegaLo: 3, OmegaHi: 1},
			[]string{"task.omega_hi: 1 must be finite and >= omega_lo = 3 (0 means 2)"}},
		{"omega_lo above default hi", Spec{Class: "sinusoid", OmegaLo: 3},
			[]string{"task.omega_hi: 0 must be finite and >= omega_lo = 3 (0 means 2)"}},
		{"negative std", Spec{Class: "quadratic", Std: -2}, []string{"task.std: -2 must be > 0, or inv_sqrt_d (0 means 1)"}},
		{"pool without base", Spec{Class: "pool", M: 0}, []string{"task.m: 0; must be >= 1",
			"task.base: missing; pool needs the class its functions are drawn from"}},
		{"pool base error", Spec{Class: "pool", M: 3, Base: &Spec{Class: "sparse_linear", K: 21}},
			[]string{"task.base.k: 21 > d = 20; allowed 1..20"}},
		{"depth", Spec{Class: "decision_tree", Depth: 30}, []string{"task.depth: 30; allowed 1..20 (0 means 4)"}},
		{"noise inside convex", Spec{Class: "convex", Alpha: 0.5, Of: []Spec{{Class: "dense_linear", Noise: 1}, lin}},
			[]string{"task.of[0].noise: 1 set inside a convex, pool or nested mixture; noise is allowed only on the root class and on a root mixture's components"}},
		{"noise in nested mixture", Spec{Class: "mixture", Of: []Spec{{Class: "mixture", Noise: 1, Of: []Spec{{Class: "dense_linear", Noise: 2}}}}},
			[]string{"task.of[0].of[0].noise: 2 set inside a convex, pool or nested mixture; noise is allowed only on the root class and on a root mixture's components"}},
		{"several", Spec{Class: "convex", Alpha: -1, Noise: -2, Of: []Spec{{Class: "bar"}, lin}}, []string{
			"task.noise: -2 must be >= 0 and finite",
			"task.alpha: -1; allowed 0..1",
			`task.of[0].class: "bar" unknown; allowed: dense_linear, sparse_linear, sinusoid, convex, mixture, quadratic, relu_2nn, decision_tree, linear_classification, pool`}},
	}
	for _, tc := range cases {
		err := tc.s.Validate(20)
		if err == nil {
			t.Errorf("%s: no error", tc.name)
			continue
		}
		got := strings.Split(err.Error(), "\n")
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, got, tc.want)
		}
		var fe *config.Error
		if !errors.As(err, &fe) {
			t.Errorf("%s: error is not a *config.Error", tc.name)
		}
	}
}

func TestSpecBuild(t *testing.T) {
	const d = 16
	cases := []struct {
		name string
		s    Spec
		want Class
	}{
		{"dense default std", Spec{Class: "dense_linear"}, &DenseLinear{D: d, Std: 1}},
		{"dense inv sqrt d", Spec{Class: "dense_linear", Std: InvSqrtD}, &DenseLinear{D: d, Std: 0.25}},
		{"sparse noisy", Spec{Class: "sparse_linear", K: 3, Std: 2, Noise: 0.1},
			&Noisy{Class: &SparseLinear{D: d, K: 3, Std: 2}, Sigma: 0.1}},
		{"sinusoid defaults", Spec{Class: "sinusoid"}, &Sinusoid{D: d, A: 1, OmegaLo: 0.5, OmegaHi: 2}},
		{"sinusoid band", Spec{Class: "sinusoid", A: 2, OmegaLo: 4, OmegaHi: 6}, &Sinusoid{D: d, A: 2, OmegaLo: 4, OmegaHi: 6}},
		{"convex", Spec{Class: "convex", Alpha: 0.25, Of: []Spec{{Class: "dense_linear", Std: InvSqrtD}, {Class: "sinusoid"}}},
			&Convex{Alpha: 0.25, G: &DenseLinear{D: d, Std: 0.25}, H: &Sinusoid{D: d, A: 1, OmegaLo: 0.5, OmegaHi: 2}}},
		{"mixture uniform", Spec{Class: "mixture", Of: []Spec{{Class: "dense_linear"}, {Class: "sparse_linear", K: 2}}},
			&Mixture{Components: []Class{&DenseLinear{D: d, Std: 1}, &SparseLinear{D: d, K: 2, Std: 1}}, Weights: []float64{0.5, 0.5}}},
		{"mixture weights", Spec{Class: "mixture", Weights: []float64{0.2, 0.8}, Of: []Spec{{Class: "quadratic"}, {Class: "linear_classification"}}},
			&Mixture{Components: []Class{&Quadratic{D: d, Std: 1}, &LinearClassification{D: d}}, Weights: []float64{0.2, 0.8}}},
		{"relu default", Spec{Class: "relu_2nn"}, &ReLU2NN{D: d, Hidden: 100}},
		{"tree default", Spec{Class: "decision_tree"}, &DecisionTree{D: d, Depth: 4}},
		{"pool", Spec{Class: "pool", M: 8, Seed: 3, Base: &Spec{Class: "dense_linear"}},
			&Pool{Base: &DenseLinear{D: d, Std: 1}, M: 8, Seed: 3}},
	}
	for _, tc := range cases {
		got, err := tc.s.Build(d)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: built %#v, want %#v", tc.name, got, tc.want)
		}
	}
}

func TestDecodeSpec(t *testing.T) {
	good := `class: mixture
weights: [0.5, 0.5]
of:
  - class: dense_linear
    std: inv_sqrt_d
  - class: sparse_linear
    k: 2
    noise: 0.25
`
	var s Spec
	if err := config.Decode(strings.NewReader(good), &s); err != nil {
		t.Fatal(err)
	}
	want := Spec{Class: "mixture", Weights: []float64{0.5, 0.5}, Of: []Spec{
		{Class: "dense_linear", Std: InvSqrtD}, {Class: "sparse_linear", K: 2, Noise: 0.25}}}
	if !reflect.DeepEqual(s, want) {
		t.Fatalf("decoded %+v, want %+v", s, want)
	}
	c, err := s.Build(4)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.(*Mixture).Components[0].(*DenseLinear).Std; got != 0.5 {
		t.Errorf("inv_sqrt_d at d = 4 gave std %g, want 0.5", got)
	}

	bad := []struct {
		name, in, want string
	}{
		{"unknown top", "class: dense_linear\nkk: 3\n",
			"line 2: kk: unknown field; allowed: a, alpha, base, class, depth, hidden, k, m, noise, of, omega_hi, omega_lo, seed, std, weights"},
		{"unknown nested", "class: mixture\nof:\n  - class: dense_linear\n  - class: sparse_linear\n    sparsity: 2\n",
			"line 5: of[1].sparsity: unknown field; allowed: a, alpha, base, class, depth, hidden, k, m, noise, of, omega_hi, omega_lo, seed, std, weights"},
		{"unknown in base", "class: pool\nm: 2\nbase:\n  klass: dense_linear\n",
			"line 4: base.klass: unknown field; allowed: a, alpha, base, class, depth, hidden, k, m, noise, of, omega_hi, omega_lo, seed, std, weights"},
		{"bad std", "class: dense_linear\nstd: big\n", `line 2: std: "big" is not a number or "inv_sqrt_d"`},
		{"empty", "", "empty document"},
		{"std 0", "class: dense_linear\nstd: 0\n", "line 2: std: 0: not allowed; omit the field for its default, 1"},
		{"omega_lo 0", "class: sinusoid\nomega_lo: 0\n", "omega_lo: 0: not allowed; omit the field for its default, 0.5"},
		{"hidden 0", "class: relu_2nn\nhidden: 0\n", "hidden: 0: not allowed"},
		{"two docs", "class: quadratic\n---\nclass: quadratic\n", "line 2: more than one YAML document"},
	}
	for _, tc := range bad {
		var s Spec
		err := config.Decode(strings.NewReader(tc.in), &s)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want it to contain %q", tc.name, err, tc.want)
		}
	}
}

func TestStdYAMLRoundTrip(t *testing.T) {
	for _, s := range []Std{0.5, InvSqrtD} {
		v, _ := s.MarshalYAML()
		var back Spec
		in := "class: dense_linear\nstd: " + map[bool]string{true: "inv_sqrt_d", false: "0.5"}[s == InvSqrtD] + "\n"
		if err := config.Decode(strings.NewReader(in), &back); err != nil || back.Std != s {
			t.Errorf("std %v (yaml %v): decoded %v, err %v", s, v, back.Std, err)
		}
	}
	if got := InvSqrtD.Value(9); math.Abs(got-1.0/3) > 1e-15 {
		t.Errorf("InvSqrtD.Value(9) = %g", got)
	}
}

func TestSpecFamilies(t *testing.T) {
	for _, tc := range []struct {
		s    Spec
		want int
	}{
		{Spec{Class: ClassMixture, Of: []Spec{{Class: ClassDenseLinear}, {Class: ClassSparseLinear, K: 1}}}, 2},
		{Spec{Class: ClassMixture, Noise: 0.1, Of: []Spec{{Class: ClassDenseLinear}}}, 1},
		{Spec{Class: ClassDenseLinear}, 0},
		{Spec{Class: ClassConvex, Alpha: 0.5, Of: []Spec{{Class: ClassDenseLinear}, {Class: ClassSinusoid}}}, 0},
	} {
		if got := tc.s.Families(); got != tc.want {
			t.Errorf("%s: Families %d, want %d", tc.s.Class, got, tc.want)
		}
	}
}
