package graph

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/iamreach/iamreach/policy"
	"github.com/iamreach/iamreach/snapshot"
)

// WhyNotResult is the engine's answer for one identity the origin is or
// can become: is the action on the resource allowed, and if not, which
// statement, boundary, SCP or RCP blocks it.
type WhyNotResult struct {
	// Identity is the principal whose request was decided (the origin, the
	// role a workload runs as, or a role the origin can assume or escalate to).
	Identity string `json:"identity"`
	// Via is the route from the origin to Identity (empty for the origin itself).
	Via       []string `json:"via,omitempty"`
	Action    string   `json:"action"`
	Resource  string   `json:"resource"`
	Result    string   `json:"result"` // Allowed, ImplicitlyDenied, ExplicitlyDenied
	Condition string   `json:"condition,omitempty"`
	// BlockedBy names what decides a denial: "explicit deny in scp policy …",
	// "SCP at ou-…", "no identity policy allows it", "permissions boundary" …
	BlockedBy string     `json:"blockedBy,omitempty"`
	Denying   []Evidence `json:"denying,omitempty"`
	Allowing  []Evidence `json:"allowing,omitempty"`
	// ConditionalDenies are deny statements that apply only under conditions.
	ConditionalDenies []Evidence `json:"conditionalDenies,omitempty"`
	Notes             []string   `json:"notes,omitempty"`
}

// WhyNot explains why an origin (principal or workload) cannot do an action
// on a resource: it decides the request with the full policy set for the
// origin itself, for the roles a workload runs as, and — when g is given —
// for every identity the origin can reach through RUNS_AS, CAN_ASSUME and
// CAN_ESCALATE in g. The action defaults to sts:AssumeRole when the
// resource is a role.
func WhyNot(ctx context.Context, snap *snapshot.Snapshot, g *Graph, from, to, action string, opts BuildOptions) ([]WhyNotResult, error) {
	b := newBuilder(snap, opts)
	b.fullEvidence = true
	b.compile()
	if action == "" {
		if _, ok := b.roles[to]; ok {
			action = "sts:AssumeRole"
		} else {
			return nil, fmt.Errorf("why not: say which action (e.g. s3:GetObject)")
		}
	}
	ids := []string{}
	via := map[string][]string{}
	if g != nil {
		m := NewMemory(g)
		if _, err := m.Node(ctx, from); err != nil {
			return nil, err
		}
		res, err := reachIdentities(ctx, m, from)
		if err != nil {
			return nil, err
		}
		for _, id := range res.order {
			ids = append(ids, id)
			via[id] = res.via[id]
		}
	} else {
		ids = append(ids, from)
		if r, ok := b.res.byARN[from]; ok && r.principal == nil {
			for _, role := range r.src.RunsAs {
				ids = append(ids, role)
				via[role] = []string{from, role}
			}
		}
	}
	t, err := b.whyNotTarget(to, action)
	if err != nil {
		return nil, err
	}
	var out []WhyNotResult
	for _, id := range ids {
		p, ok := b.prinByARN[id]
		if !ok {
			continue
		}
		a := b.actorOf(p)
		d := b.decide(a, action, t, nil)
		if t.kind == policy.ResourcePolicyTrust && t.named == nil {
			d.Explanation.Notes = append(d.Explanation.Notes, "the role has no readable trust policy")
		}
		r := WhyNotResult{
			Identity: id, Via: via[id], Action: action, Resource: to, Result: d.Result.String(),
			BlockedBy: d.Explanation.BlockedBy, Denying: b.evidence(d.Explanation.Denying, a),
			Allowing: b.evidence(d.Explanation.Allowing, a), ConditionalDenies: b.evidence(d.Explanation.ConditionalDenies, a),
			Notes: d.Explanation.Notes,
		}
		if d.Residual != nil {
			r.Condition = d.Residual.String()
		}
		out = append(out, r)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("why not: %s is not a user or role of the snapshot, nor a workload that runs as one", from)
	}
	return out, nil
}

func (b *builder) whyNotTarget(to, action string) (*target, error) {
	if p, ok := b.roles[to]; ok && strings.HasPrefix(strings.ToLower(action), "sts:assumerole") {
		t := &target{nodeID: to, arn: to, res: policy.Resource{ARN: to, Account: p.account, Tags: p.node.Tags, OrgID: b.orgIDOf(p.account)}, named: p.trust, kind: policy.ResourcePolicyTrust, account: p.account, rcps: b.rcps[p.account]}
		return t, nil
	}
	if r, ok := b.res.byARN[to]; ok {
		arn := to
		if r.src.Type == snapshot.TypeS3Bucket && b.isObjectAction(action) {
			arn = to + "/*"
		}
		t := b.targetOf(r, arn)
		return &t, nil
	}
	// A resource outside the inventory: decided without a resource policy.
	acct := arnAccount(to)
	if acct == "" {
		return nil, fmt.Errorf("why not: %s is not in the snapshot and not an ARN", to)
	}
	return &target{nodeID: to, arn: to, res: policy.Resource{ARN: to, Account: acct, OrgID: b.orgIDOf(acct)}, account: acct, rcps: b.rcps[acct]}, nil
}

type identityRoutes struct {
	order []string
	via   map[string][]string
}

// reachIdentities lists the origin and every identity it can become, with
// the node route to each (breadth first, as Reach does).
func reachIdentities(ctx context.Context, src Source, from string) (identityRoutes, error) {
	out := identityRoutes{order: []string{from}, via: map[string][]string{from: nil}}
	frontier := []string{from}
	for d := 0; d < defaultMaxDepth && len(frontier) > 0; d++ {
		es, err := src.OutEdges(ctx, frontier, IdentityEdges)
		if err != nil {
			return out, err
		}
		sortEdges(es)
		var next []string
		for _, e := range es {
			if _, seen := out.via[e.To]; seen {
				continue
			}
			route := append([]string{}, out.via[e.From]...)
			if len(route) == 0 {
				route = []string{from}
			}
			out.via[e.To] = append(route, e.To)
			out.order = append(out.order, e.To)
			next = append(next, e.To)
		}
		sort.Strings(next)
		frontier = next
	}
	return out, nil
}
