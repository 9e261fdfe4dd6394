package verdict

import (
	"fmt"
	"icl/plot"
	"icl/report"
	"math"
	"strings"
)

// Check is one numeric test of a verdict rule.
type Check struct {
	Name   string
	Detail string // the deciding numbers
	Pass   bool
	// Precondition marks a check that the models learned enough for the
	// claim to be tested at all (e.g. a specialist predicts its own class
	// well). A failed precondition makes the verdict NotTestable whatever
	// the other checks say: agreement between models that learned nothing
	// is not evidence for the claim.
	Precondition bool
	// Untestable, when not empty, says with its numbers why this check of
	// the claim cannot tell at this scale (e.g. the two specialists it
	// compares against score the same, so matching one says nothing). Such
	// a check counts neither for nor against the claim.
	Untestable string
	// Inconclusive marks a check decided by an interval that straddles its
	// threshold: it neither holds nor fails (Pass is false), and tallies
	// count it apart.
	Inconclusive bool
}

// Tally counts the claim's checks (preconditions excluded): how many hold,
// how many can be tested at this scale, and how many there are in all. The
// terminal, verdict.json and the report all count with it.
type Tally struct {
	Held, Testable, Claims int
	Inconclusive           int // of Testable, neither held nor failed
	// FailedPre is the first failed precondition, or nil.
	FailedPre *Check
}

// Count tallies checks.
func Count(checks []Check) Tally {
	var t Tally
	for i, c := range checks {
		if c.Precondition {
			if !c.Pass && t.FailedPre == nil {
				t.FailedPre = &checks[i]
			}
			continue
		}
		t.Claims++
		if c.Untestable != "" {
			continue
		}
		t.Testable++
		if c.Pass {
			t.Held++
		} else if c.Inconclusive {
			t.Inconclusive++
		}
	}
	return t
}

// String is the count in words, e.g. "2 of the claim's 4 checks hold (1
// not testable at this scale)."
func (t Tally) String() string {
	if t.FailedPre != nil {
		what := "Precondition failed"
		if t.FailedPre.Inconclusive {
			what = "Precondition not established (its interval straddles the threshold)"
		}
		return fmt.Sprintf("%s: %s (%s).", what, strings.TrimPrefix(t.FailedPre.Name, "(precondition) "), t.FailedPre.Detail)
	}
	if t.Testable == 0 {
		return fmt.Sprintf("None of the claim's %s can tell at this scale (each row of the table says why).", report.Plural(t.Claims, "check"))
	}
	var s string
	switch {
	case t.Claims == 1 && t.Held == 1:
		s = "The claim's one check holds"
	case t.Claims == 1 && t.Inconclusive == 1:
		return "The claim's one check is inconclusive (its interval straddles the threshold)."
	case t.Claims == 1:
		s = "The claim's one check does not hold"
	case t.Held == 0:
		s = fmt.Sprintf("None of the claim's %d checks holds", t.Claims)
	case t.Held == 1:
		s = fmt.Sprintf("1 of the claim's %d checks holds", t.Claims)
	default:
		s = fmt.Sprintf("%d of the claim's %d checks hold", t.Held, t.Claims)
	}
	if n := t.Claims - t.Testable; n > 0 {
		s += fmt.Sprintf(" (%d not testable at this scale)", n)
	}
	if t.Inconclusive > 0 {
		s += fmt.Sprintf("; %d inconclusive (its interval straddles the threshold)", t.Inconclusive)
	}
	return s + "."
}

// Verdict returns the verdict of checks: NotTestable when a precondition
// fails or is not established (inconclusive), when no check of the claim can
// be tested at this scale, or when every testable one is inconclusive;
// otherwise
// Supported when every check of the claim is testable and holds, Partly when
// some hold, NotAtScale when none of the testable ones does.
func Verdict(checks []Check) string {
	t := Count(checks)
	switch {
	case t.FailedPre != nil || t.Testable == 0:
		return report.NotTestable
	case t.Held == 0 && t.Inconclusive == t.Testable:
		// Every testable check straddles its threshold: the numbers decide
		// nothing either way at this scale and prompt count.
		return report.NotTestable
	case t.Held == t.Claims:
		return report.Supported
	case t.Held > 0:
		return report.Partly
	}
	return report.NotAtScale
}

// RuleVerdict is the part of every rule that turns checks into a verdict,
// generated from the checks themselves so that the rule as written, the
// table and the verdict agree.
func RuleVerdict(checks []Check) string {
	var pre []string
	claims := 0
	for _, c := range checks {
		if c.Precondition {
			pre = append(pre, strings.TrimPrefix(c.Name, "(precondition) "))
		} else {
			claims++
		}
	}
	var b strings.Builder
	if len(pre) > 0 {
		fmt.Fprintf(&b, "Preconditions, without which the claim cannot be tested (thresholds in the table): %s. If one fails or is inconclusive, the verdict is %q. ",
			strings.Join(pre, "; "), report.NotTestable)
	}
	fmt.Fprintf(&b, "A check of the claim that cannot tell at this scale (its table row says why) counts neither way; if none can, or if every one that can is inconclusive, the verdict is %q. ", report.NotTestable)
	switch claims {
	case 1:
		fmt.Fprintf(&b, "The claim has one check: %q if it holds, %q if not.", report.Supported, report.NotAtScale)
	default:
		fmt.Fprintf(&b, "The claim has %d checks: %q if all %d hold, %q if some hold (or all that can be tested), %q if none holds.",
			claims, report.Supported, claims, report.Partly, report.NotAtScale)
	}
	return b.String()
}

// Control is an experiment's rule applied again with a control in the place
// of the model the claim is about: a model or predictor that should not
// earn the claim's verdict. When it earns the same supported or partly
// supported verdict as the real model, the checks do not discriminate, and
// the experiment's verdict is NotTestable.
type Control struct {
	// Name says what stands in for what, e.g. "the dense-only model in the
	// mixture's place".
	Name    string
	Checks  []Check
	Verdict string
}

// Num formats an error value for tables.
func Num(v float64) string {
	switch {
	case math.IsNaN(v):
		return "n/a"
	case v != 0 && math.Abs(v) < 1e-3, math.Abs(v) >= 1e4:
		return plot.FormatNumber(v) // 6.7e-23, 1.57e7: a least-squares blow-up stays readable
	}
	return fmt.Sprintf("%.3f", v)
}

// Le reports a <= ratio*b + floor with the numbers.
func Le(name string, a, b, ratio, floor float64, an, bn string) Check {
	return Check{Name: name, Pass: a <= ratio*b+floor,
		Detail: fmt.Sprintf("%s %s <= %g x %s %s + %g = %s", an, Num(a), ratio, bn, Num(b), floor, Num(ratio*b+floor))}
}

// Estimate is a mean with its 90% interval.
type Estimate struct{ M, Lo, Hi float64 }

// String is "0.123 [90%: 0.110, 0.140]".
func (v Estimate) String() string {
	return fmt.Sprintf("%s [90%%: %s, %s]", Num(v.M), Num(v.Lo), Num(v.Hi))
}

// Decide sets c's outcome from where an interval lies against a threshold:
// it holds when the whole interval is on the passing side (passAll), fails
// when the whole interval is on the other side (failAll), and is
// inconclusive otherwise.
func Decide(c *Check, passAll, failAll bool) {
	c.Pass, c.Inconclusive = passAll, !passAll && !failAll
}

// Holds says in a word whether c holds, as a check table writes it: "yes",
// "no", "inconclusive" or "not testable".
func (c Check) Holds() string {
	switch {
	case c.Untestable != "":
		return "not testable"
	case c.Pass:
		return "yes"
	case c.Inconclusive:
		return "inconclusive"
	}
	return "no"
}

// Failed reports whether c was decided against: neither held nor
// inconclusive.
func (c Check) Failed() bool { return !c.Pass && !c.Inconclusive }

// Learned is a precondition: the model's error is below bound, decided by
// its interval.
func Learned(name string, v Estimate, bound float64) Check {
	c := Check{Name: "(precondition) " + name, Precondition: true,
		Detail: fmt.Sprintf("error %s; needs < %g (zero predictor: 1; margin %s)", v, bound, Num(bound-v.M))}
	Decide(&c, v.Hi < bound, v.Lo >= bound)
	return c
}

// GeApart is the check a >= ratio*b + floor for estimates on different
// prompts (unpaired): it holds when a's interval lies at or above the
// threshold that b's whole interval gives, fails when it lies below it,
// and is inconclusive otherwise.
func GeApart(name string, a, b Estimate, ratio, floor float64, an, bn string) Check {
	c := Check{Name: name, Detail: fmt.Sprintf("%s %s >= %g x %s %s + %g = %s (margin %s)", an, a, ratio, bn, b, floor,
		Num(ratio*b.M+floor), Num(a.M-ratio*b.M-floor))}
	Decide(&c, a.Lo >= ratio*b.Hi+floor, a.Hi < ratio*b.Lo+floor)
	return c
}

// Gt reports a > ratio*b + margin with the numbers.
func Gt(name string, a, b, ratio, margin float64, an, bn string) Check {
	return Check{Name: name, Pass: a > ratio*b+margin,
		Detail: fmt.Sprintf("%s %s > %g x %s %s + %g = %s", an, Num(a), ratio, bn, Num(b), margin, Num(ratio*b+margin))}
}

// Apply decides c's verdict from its checks and returns the model's verdict
// own in the light of it: NotTestable when the control earns own and own is
// Supported or Partly (the checks cannot tell the model from the control),
// else own.
func (c *Control) Apply(own string) string {
	c.Verdict = Verdict(c.Checks)
	if (own == report.Supported || own == report.Partly) && c.Verdict == own {
		return report.NotTestable
	}
	return own
}

// Note says what the control earned against the model's own verdict (from
// the checks, before Apply) and what it means.
func (c *Control) Note(own string) string {
	s := fmt.Sprintf("Control: with %s, the same rule gives %q (%s)", c.Name, c.Verdict, strings.TrimSuffix(Count(c.Checks).String(), "."))
	switch {
	case (own == report.Supported || own == report.Partly) && c.Verdict == own:
		return s + fmt.Sprintf(": the checks do not tell the model from the control, so the verdict %q becomes %q.", own, report.NotTestable)
	case c.Verdict == own:
		return s + ": the same verdict as the model's."
	case own == report.NotTestable:
		return s + "; the model's own verdict is not testable, so there is nothing for the control to tell it from."
	}
	return s + fmt.Sprintf(": the checks tell the model (%q) from the control.", own)
}
