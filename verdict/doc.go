// Package verdict owns how an experiment's checks make its verdict: a Check
// decided by where an interval (Estimate) lies against its threshold
// (Decide: holds, fails or inconclusive), preconditions, checks that cannot
// tell at a scale, the tally (Count) and the verdict (Verdict), the rule's
// words that say so (RuleVerdict), and a Control: the rule applied again
// with a control in the place of the model the claim is about.
//
// Verdicts: "not testable at this scale" when a precondition fails or is
// not established (the models did not learn what the claim needs), when no
// check of the claim can tell at this scale (a check whose comparison cannot
// separate the models, say matching one of two specialists that score alike,
// counts neither way), when every testable check is inconclusive, or when a
// control earns the model's supported or partly supported verdict;
// otherwise "supported" when every check of the claim holds, "partly
// supported" when some do, "not supported at this scale" when none does. The
// terminal, verdict.json and the report count checks with the same function
// (Count), and the part of each rule that turns checks into a verdict is
// generated from the checks themselves (RuleVerdict).
package verdict
