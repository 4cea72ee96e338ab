package policy_test

import (
	"encoding/json"
	"math/rand/v2"
	"testing"

	"github.com/iamreach/iamreach/policy"
)

// TestDecideAgreesWithEvaluate checks that Evaluator.Decide, which skips
// the explanation, gives Evaluate's result and residual on generated
// cases (the differential test's generator) in both modes.
func TestDecideAgreesWithEvaluate(t *testing.T) {
	g := &gen{r: rand.New(rand.NewPCG(7, 0x1a3))}
	var ev policy.Evaluator
	compiled := 0
	for i := 0; i < 3000; i++ {
		b, err := json.Marshal(g.next().sim)
		if err != nil {
			t.Fatal(err)
		}
		sim, err := policy.ParseSimulation(b)
		if err != nil {
			t.Fatal(err)
		}
		req, set, err := sim.Compile()
		if err != nil {
			continue // the generator also writes cases the parser rejects
		}
		compiled++
		for _, mode := range []policy.Mode{policy.Strict, policy.Discovery} {
			want := policy.Evaluate(req, set, mode)
			got, residual := ev.Decide(req, set, mode)
			if got != want.Result || residualText(residual) != residualText(want.Residual) {
				t.Fatalf("case %d mode %d: Decide = %s %q, Evaluate = %s %q\n%s", i, mode, got, residualText(residual), want.Result, residualText(want.Residual), b)
			}
		}
	}
	if compiled < 1000 {
		t.Fatalf("only %d of 3000 generated cases compiled", compiled)
	}
}

func residualText(c *policy.Condition) string {
	if c == nil {
		return ""
	}
	return c.String()
}
