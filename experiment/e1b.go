package experiment

import (
	_ "embed"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"icl/eval"
	"icl/plot"
	"icl/prompt"
	"icl/report"
	"icl/rng"
	"icl/task"
	"icl/verdict"
)

//go:embed e1b.yaml
var e1bYAML string

func init() {
	Register(Registration{ID: "E1B", Order: 90, YAML: e1bYAML, Analyze: analyzeE1B,
		Summary: "selection against training budget (the long preset only): cooldown branches at 50k to 400k steps of runs trained at a constant rate"})
}

// E1B: selection against training budget. Its runs are budget branches
// (RunRef.Budget) of four trunks: the mixture at two seeds (roles mix_b*,
// mix2_b*), the sparse-only model (sparse_b*) and the dense-only model
// (dense_b*, the largest budget only).

// budgetSeries is one trunk's branches: role prefix, roles and budgets in
// increasing budget.
type budgetSeries struct {
	prefix  string
	roles   []string
	budgets []int
	seed    uint64 // the trunk's train seed (the report names mixtures by it)
}

// e1bSeries groups d's runs by role prefix (the role up to "_b").
func e1bSeries(d *Def) map[string]*budgetSeries {
	out := map[string]*budgetSeries{}
	for _, r := range d.Runs {
		prefix, _, _ := strings.Cut(r.Role, "_b")
		s := out[prefix]
		if s == nil {
			s = &budgetSeries{prefix: prefix}
			out[prefix] = s
		}
		s.roles = append(s.roles, r.Role)
		s.budgets = append(s.budgets, r.Budget)
	}
	for _, s := range out {
		idx := make([]int, len(s.roles))
		for i := range idx {
			idx[i] = i
		}
		slices.SortFunc(idx, func(a, b int) int { return s.budgets[a] - s.budgets[b] })
		roles, budgets := make([]string, len(idx)), make([]int, len(idx))
		for i, j := range idx {
			roles[i], budgets[i] = s.roles[j], s.budgets[j]
		}
		s.roles, s.budgets = roles, budgets
	}
	return out
}

// last is the series' role at its largest budget.
func (s *budgetSeries) last() string { return s.roles[len(s.roles)-1] }

func analyzeE1B(e *env) (*Outcome, error) {
	o := e.newOutcome()
	series := e1bSeries(e.def)
	mixes := []*budgetSeries{series["mix"], series["mix2"]}
	sp, de := series["sparse"], series["dense"]
	if mixes[0] == nil || mixes[1] == nil || sp == nil || de == nil {
		return nil, fmt.Errorf("experiment %s: runs must be the budget branches mix_b*, mix2_b*, sparse_b* and dense_b*", e.def.ID)
	}
	for _, s := range series {
		s.seed = e.models[s.last()].Cfg.Seed
	}
	var roles []string
	for _, r := range e.def.Runs {
		roles = append(roles, r.Role)
	}
	sparseSpec, err := e.resolve("sparse prompts", task.Spec{Class: task.ClassSparseLinear})
	if err != nil {
		return nil, err
	}
	baselines := []string{"least_squares", "lasso_best", "bayes"}
	// One setting per class with every model: the budgets are compared on
	// the same prompts.
	rs, err := e.evaluate("sparse", sparseSpec, prompt.Setting{}, roles, baselines, nil)
	if err != nil {
		return nil, err
	}
	rd, err := e.evaluate("dense", task.Spec{Class: task.ClassDenseLinear}, prompt.Setting{}, roles, baselines, nil)
	if err != nil {
		return nil, err
	}
	o.Results.Settings = append(o.Results.Settings, rs, rd)
	n := e.n
	sparsePos := []int{2, 3, 4}
	densePos := uniq([]int{clampPos(ceilDiv(e.d, 2), n), clampPos(e.d, n)})
	pos4, pos8 := clampPos(4, n), clampPos(e.d, n)
	ratio, floor, lb := e.def.Param("ratio"), e.def.Param("floor"), e.def.Param("learned")

	// Preconditions at the largest budget.
	o.Checks = append(o.Checks,
		verdict.Learned(fmt.Sprintf("sparse-only model (%s) on sparse prompts, %d examples", e.label(sp.last()), n-1), estAt(rs, ModelKey(sp.last()), n-1), lb),
		verdict.Learned(fmt.Sprintf("dense-only model (%s) on dense prompts, %d examples", e.label(de.last()), n-1), estAt(rd, ModelKey(de.last()), n-1), lb))
	for _, m := range mixes {
		o.Checks = append(o.Checks, verdict.Learned(fmt.Sprintf("%s on dense prompts, %d examples", e.label(m.last()), n-1), estAt(rd, ModelKey(m.last()), n-1), lb))
	}

	// (1) per seed at the largest budget, decided by a paired interval.
	spLast := ModelKey(sp.last())
	for _, m := range mixes {
		c, err := e.pairedBound(rs, ModelKey(m.last()), spLast, ratio, floor, pos4)
		if err != nil {
			return nil, err
		}
		c.Name = fmt.Sprintf("(1) mixture seed %d, budget %s: sparse prompts, %s: mixture <= %g x sparse-only + %g", m.seed, budgetText(m.budgets[len(m.budgets)-1]), examples(pos4), ratio, floor)
		o.Checks = append(o.Checks, c)
	}
	// (2) per seed at the largest budget: MS's sparse half.
	for _, m := range mixes {
		c, err := e.selectionHalf(m.last(), sparseSpec)
		if err != nil {
			return nil, err
		}
		c.Name = fmt.Sprintf("(2) mixture seed %d, budget %s: sparse prompts, implied weight follows the posterior from 2 examples on", m.seed, budgetText(m.budgets[len(m.budgets)-1]))
		o.Checks = append(o.Checks, c)
	}

	// The curve: per budget and model, the errors with intervals.
	t := report.Table{Caption: "Error against training budget, mean [90% interval]: sparse prompts at " +
		joinPositions(sparsePos) + ", dense prompts at " + joinPositions(densePos),
		Header: []string{"budget", "model"}}
	for _, p := range sparsePos {
		t.Header = append(t.Header, "sparse, "+examples(p))
	}
	for _, p := range densePos {
		t.Header = append(t.Header, "dense, "+examples(p))
	}
	cell := func(r *eval.SettingResult, key string, p int) string {
		c := r.Curve(key)
		if c == nil {
			return "-"
		}
		m, lo, hi := c.At(p)
		return fmt.Sprintf("%s [%s, %s]", num(m), num(lo), num(hi))
	}
	for _, b := range allBudgets(series) {
		for _, s := range []*budgetSeries{mixes[0], mixes[1], sp, de} {
			i := slices.Index(s.budgets, b)
			if i < 0 {
				continue
			}
			key := ModelKey(s.roles[i])
			row := []string{budgetText(b), e.label(s.roles[i])}
			for _, p := range sparsePos {
				row = append(row, cell(rs, key, p))
			}
			for _, p := range densePos {
				row = append(row, cell(rd, key, p))
			}
			t.Rows = append(t.Rows, row)
		}
	}
	for _, k := range []struct{ key, name string }{{keyLeastSquares, "least squares"}, {keyLassoBest, "lasso (best alpha in hindsight)"}, {keyBayes, "Bayes-optimal (class prior)"}} {
		row := []string{"-", k.name}
		for _, p := range sparsePos {
			row = append(row, cell(rs, k.key, p))
		}
		for _, p := range densePos {
			row = append(row, cell(rd, k.key, p))
		}
		t.Rows = append(t.Rows, row)
	}
	e1t, err := e.e1ByBudget(rd, rs, mixes, sp, de)
	if err != nil {
		return nil, err
	}
	o.Tables = append(o.Tables, t, e1t, e1bTrendTable(rs, mixes, sp, pos4, ratio, floor))
	o.Figures = append(o.Figures,
		Fig{"budget_sparse", e.def.Caption("budget_sparse"), e.budgetFigure("E1B: sparse prompts, "+examples(pos4), rs, []*budgetSeries{mixes[0], mixes[1], sp}, pos4)},
		Fig{"budget_dense", e.def.Caption("budget_dense"), e.budgetFigure("E1B: dense prompts, "+examples(pos8), rd, []*budgetSeries{mixes[0], mixes[1], de}, pos8)})
	return o, nil
}

// e1ByBudget applies E1's rule (its checks and parameters) at every budget:
// each mixture seed's branch against the sparse-only branch of the same
// budget and the dense-only model, which has the largest budget only.
func (e *env) e1ByBudget(rd, rs *eval.SettingResult, mixes []*budgetSeries, sp, de *budgetSeries) (report.Table, error) {
	e1, err := LoadDef("E1")
	if err != nil {
		return report.Table{}, err
	}
	t := report.Table{Caption: fmt.Sprintf("E1's checks at each budget: the mixture against the sparse-only model of the same budget and the dense-only model (%s), on the prompts above; whether each holds, and E1's verdict by its rule (E1's control is not applied here)", budgetText(de.budgets[len(de.budgets)-1])),
		Header: []string{"budget", "mixture"}}
	den := ModelKey(de.last())
	for _, b := range sp.budgets {
		spa := ModelKey(sp.roles[slices.Index(sp.budgets, b)])
		for _, m := range mixes {
			i := slices.Index(m.budgets, b)
			if i < 0 {
				continue
			}
			cs := checksE1(e1, rd, rs, e.d, e.n, ModelKey(m.roles[i]), den, spa, e.paired)
			row := []string{budgetText(b), fmt.Sprintf("seed %d", m.seed)}
			for _, c := range cs {
				if c.Precondition {
					continue
				}
				if len(t.Rows) == 0 {
					name, _, _ := strings.Cut(c.Name, ":")
					t.Header = append(t.Header, name)
				}
				row = append(row, c.Holds())
			}
			if len(t.Rows) == 0 {
				t.Header = append(t.Header, "E1's verdict")
			}
			t.Rows = append(t.Rows, append(row, verdict.Verdict(cs)))
		}
	}
	return t, nil
}

// pairedBound is the check mean(a - ratio*b) <= floor at position p of r,
// decided by the 90% paired bootstrap interval of the per-prompt difference:
// it holds when the interval lies at or below floor, fails when it lies
// above, and is inconclusive otherwise.
func (e *env) pairedBound(r *eval.SettingResult, a, b string, ratio, floor float64, p int) (verdict.Check, error) {
	ea, eb := r.Errors(a), r.Errors(b)
	if ea == nil || eb == nil {
		return verdict.Check{}, fmt.Errorf("experiment %s, setting %s: no errors of %s or %s", e.def.ID, r.Setting, a, b)
	}
	d := make([]float64, len(ea))
	for i := range d {
		d[i] = ea[i] - ratio*eb[i]
	}
	c := eval.ICLCurve("difference", d, r.B, r.N, e.level(), e.scale.Boots, rng.New(e.seed(r.Setting+"/bound/"+a+"-"+b), rng.LabelEval, rng.StreamPaired))
	m, lo, hi := c.At(p)
	ck := verdict.Check{Pass: hi <= floor, Inconclusive: lo <= floor && hi > floor,
		Detail: fmt.Sprintf("mixture %s - %g x sparse-only %s = %s [90%%: %s, %s], needs <= %g", num(at(r, a, p)), ratio, num(at(r, b, p)),
			num(m), num(lo), num(hi), floor)}
	return ck, nil
}

// selectionHalf is MS's sparse check for the mixture of role: the mean
// absolute difference between its implied weight on the dense class and the
// loss-weighted Bayes posterior, on sparse prompts from 2 examples on.
func (e *env) selectionHalf(role string, sparse task.Spec) (verdict.Check, error) {
	ref, _, err := e.lossBayes(role)
	if err != nil {
		return verdict.Check{}, err
	}
	tol := e.def.Param("ms_tol")
	tf := e.transformers([]string{role})[0]
	s := eval.Setting{Name: "sparse/selection", Task: sparse, Prompts: e.prompts(), Seed: e.seed("sparse")}
	key := e.cacheKey(e.cache, "selection", struct {
		Setting eval.Setting
		D, N    int
		Options eval.Options
		Ref     []float64
	}{s, e.d, e.n, e.eopts, ref.Weights}, []string{role})
	var sel *eval.Selection
	if !e.cache.Load(key, &sel) {
		bt, _, err := s.Draw(e.d, e.n)
		if err != nil {
			return verdict.Check{}, err
		}
		t0 := time.Now()
		if sel, err = eval.ModelSelection(bt, tf, ref, e.eopts); err != nil {
			return verdict.Check{}, err
		}
		e.probed(t0, s.Prompts)
		if err := e.cache.Store(key, sel); err != nil {
			e.log("evaluation cache: %v", err)
		}
	}
	diff, cnt := 0.0, 0
	for i, w := range sel.Implied.Mean {
		if i >= 2 && !math.IsNaN(w) {
			diff += math.Abs(w - sel.Posterior.Mean[i])
			cnt++
		}
	}
	if cnt == 0 {
		return verdict.Check{Detail: "weight not identified from 2 examples on"}, nil
	}
	diff /= float64(cnt)
	return verdict.Check{Pass: diff <= tol, Detail: fmt.Sprintf("mean |w - posterior| = %s over %d positions (tol %g)", num(diff), cnt, tol)}, nil
}

// e1bTrendTable fits, per model, log(error) = a + b log(budget) to the sparse
// errors at position p over the budgets (least squares on the logs), and
// gives the budget at which each mixture seed's fit meets ratio x the
// sparse-only fit + floor, where the fits cross within 1e4 x the largest
// budget.
func e1bTrendTable(rs *eval.SettingResult, mixes []*budgetSeries, sp *budgetSeries, p int, ratio, floor float64) report.Table {
	t := report.Table{Caption: fmt.Sprintf("Trend of the sparse error at %s: power-law fit error = A x budget^b over the budgets (least squares on the logs; %d points each, so a rough guide), and where the mixture's fit meets check (1)", examples(p), len(sp.budgets)),
		Header: []string{"model", "b (exponent)", "A", "fit at the largest budget", "check (1) met at budget"}}
	fit := func(s *budgetSeries) (a, b float64, ok bool) {
		var xs, ys []float64
		for i, role := range s.roles {
			v := at(rs, ModelKey(role), p)
			if v > 0 {
				xs, ys = append(xs, math.Log(float64(s.budgets[i]))), append(ys, math.Log(v))
			}
		}
		if len(xs) < 2 {
			return 0, 0, false
		}
		var mx, my float64
		for i := range xs {
			mx, my = mx+xs[i], my+ys[i]
		}
		mx, my = mx/float64(len(xs)), my/float64(len(xs))
		var sxy, sxx float64
		for i := range xs {
			sxy += (xs[i] - mx) * (ys[i] - my)
			sxx += (xs[i] - mx) * (xs[i] - mx)
		}
		if sxx == 0 {
			return 0, 0, false
		}
		b = sxy / sxx
		return math.Exp(my - b*mx), b, true
	}
	maxB := float64(sp.budgets[len(sp.budgets)-1])
	sa, sb, sok := fit(sp)
	row := func(name string, a, b float64, ok bool, meet string) {
		if !ok {
			t.Rows = append(t.Rows, []string{name, "-", "-", "-", meet})
			return
		}
		t.Rows = append(t.Rows, []string{name, fmt.Sprintf("%.3f", b), num(a), num(a * math.Pow(maxB, b)), meet})
	}
	row("sparse only", sa, sb, sok, "-")
	for _, m := range mixes {
		a, b, ok := fit(m)
		meet := "-"
		if ok && sok {
			meet = "not within 10^4 x the largest budget"
			for x := float64(m.budgets[0]); x <= 1e4*maxB; x *= math.Pow(2, 0.25) {
				if a*math.Pow(x, b) <= ratio*sa*math.Pow(x, sb)+floor {
					meet = budgetText(int(math.Round(x)))
					if x > maxB {
						meet += " (extrapolated)"
					}
					break
				}
			}
		}
		row(fmt.Sprintf("mixture, seed %d", m.seed), a, b, ok, meet)
	}
	return t
}

// budgetFigure draws the error at position p of r against budget for each
// series, with least squares, lasso and the Bayes predictor as flat lines.
func (e *env) budgetFigure(title string, r *eval.SettingResult, ss []*budgetSeries, p int) *plot.Figure {
	f := &plot.Figure{Title: title, XLabel: "training budget (steps before the cooldown)", YLabel: "normalized error", LogX: true, ZeroBased: true}
	for _, s := range ss { // every budget labelled on the axis
		for _, b := range s.budgets {
			if !slices.Contains(f.XTicks, float64(b)) {
				f.XTicks = append(f.XTicks, float64(b))
			}
		}
	}
	for _, s := range ss {
		var x, y, lo, hi []float64
		for i, role := range s.roles {
			c := r.Curve(ModelKey(role))
			if c == nil {
				continue
			}
			m, l, h := c.At(p)
			x, y, lo, hi = append(x, float64(s.budgets[i])), append(y, m), append(lo, l), append(hi, h)
		}
		name := strings.TrimSuffix(e.label(s.last()), ", "+budgetText(s.budgets[len(s.budgets)-1]))
		if strings.HasPrefix(s.prefix, "mix") { // the mixtures by seed, as the checks name them
			name = fmt.Sprintf("mixture, seed %d", s.seed)
		}
		f.Series = append(f.Series, plot.Series{Name: name, X: x, Y: y, Lo: lo, Hi: hi, Role: plot.RoleModel})
	}
	for _, k := range []struct{ key, name string }{{keyLeastSquares, "least squares"}, {keyLassoBest, "lasso (best alpha)"}, {keyBayes, "Bayes-optimal"}} {
		if c := r.Curve(k.key); c != nil {
			m, _, _ := c.At(p)
			f.HLines = append(f.HLines, plot.HLine{Y: m, Name: k.name, Dashed: true})
		}
	}
	// The axis ends just above every value and band drawn: without a zero
	// predictor's line, the error ceiling (plot.Figure) would take the
	// largest baseline for it and cut off the models (on dense prompts,
	// lasso's 0.03 against the mixtures' 0.1).
	top := 0.0
	for _, s := range f.Series {
		for _, v := range slices.Concat(s.Y, s.Hi) {
			if !math.IsNaN(v) && !math.IsInf(v, 0) {
				top = max(top, v)
			}
		}
	}
	for _, h := range f.HLines {
		if !math.IsNaN(h.Y) && !math.IsInf(h.Y, 0) {
			top = max(top, h.Y)
		}
	}
	if top > 0 {
		f.YMax = 1.05 * top
	}
	return f
}

// allBudgets lists every budget of the series, increasing.
func allBudgets(series map[string]*budgetSeries) []int {
	var out []int
	for _, s := range series {
		for _, b := range s.budgets {
			if !slices.Contains(out, b) {
				out = append(out, b)
			}
		}
	}
	slices.Sort(out)
	return out
}

// budgetText writes a budget of steps: "50k".
func budgetText(b int) string {
	if b%1000 == 0 {
		return fmt.Sprintf("%dk", b/1000)
	}
	return fmt.Sprint(b)
}

// joinPositions writes positions as "2, 3 and 4 examples".
func joinPositions(ps []int) string {
	var s []string
	for _, p := range ps {
		s = append(s, fmt.Sprint(p))
	}
	if len(s) == 1 {
		return examples(ps[0])
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1] + " examples"
}
