package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/iamreach/iamreach/graph"
)

// errWhyNotPanic marks a crash inside WhyNot: a bug, answered 500.
var errWhyNotPanic = errors.New("why-not computation panicked")

// WhyNotResponse is the body of /whynot: one decision per identity the
// origin is or can become.
type WhyNotResponse struct {
	From    string               `json:"from"`
	To      string               `json:"to"`
	Action  string               `json:"action"` // as decided (sts:AssumeRole when absent and to is a role)
	Results []graph.WhyNotResult `json:"results"`
}

func (s *server) whyNotHandler(w http.ResponseWriter, r *http.Request) error {
	p := newParams(r.URL)
	from := p.id("from", true)
	to := p.id("to", true)
	action := p.single("action")
	if action != "" {
		if err := validAction(action); err != nil {
			p.fail("parameter %q: %v", "action", err)
		}
	}
	if err := p.check(); err != nil {
		return err
	}
	if s.opts.WhyNot == nil {
		return notFound("why-not decides with the policies themselves and needs the snapshot the graph was built from: serve --snapshot FILE or --demo (not --graph or --neo4j)")
	}
	results, err := s.runWhyNot(r.Context(), from, to, action)
	if err != nil {
		switch {
		case errors.Is(err, graph.ErrNotFound):
			return notFound("no node with ID %q (parameter %q)", from, "from")
		case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled),
			errors.Is(err, errWhyNotPanic), errors.Is(err, graph.ErrUnavailable):
			return err
		}
		// WhyNot's other errors are about the question (no action for a
		// non-role, an origin that is not a principal, a target that is
		// not an ARN): the message says which.
		return badRequest("%v", err)
	}
	resp := WhyNotResponse{From: from, To: to, Action: action, Results: nonNil(results)}
	if len(results) > 0 {
		resp.Action = results[0].Action
	}
	return writeJSON(w, http.StatusOK, resp)
}

// runWhyNot runs the decision with the request's deadline: WhyNot does not
// watch ctx while it compiles, so the answer is abandoned (not awaited)
// when the deadline passes.
func (s *server) runWhyNot(ctx context.Context, from, to, action string) ([]graph.WhyNotResult, error) {
	select {
	case s.whyNot <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("waiting for a why-not slot: %w", ctx.Err())
	}
	type answer struct {
		res []graph.WhyNotResult
		err error
	}
	done := make(chan answer, 1)
	go func() {
		defer func() { <-s.whyNot }()
		defer func() {
			if v := recover(); v != nil {
				done <- answer{err: fmt.Errorf("why not %s → %s: %w: %v", from, to, errWhyNotPanic, v)}
			}
		}()
		res, err := s.opts.WhyNot(ctx, from, to, action)
		done <- answer{res, err}
	}()
	select {
	case a := <-done:
		return a.res, a.err
	case <-ctx.Done():
		return nil, fmt.Errorf("why not %s → %s: %w", from, to, ctx.Err())
	}
}
