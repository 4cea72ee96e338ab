// Package findings computes what a reviewer should look at in a built
// graph: trust and access from outside the organization, public exposure,
// admin-equivalent principals and the paths that escalate to them,
// confused-deputy trusts, workload blast radius and least-privilege advice.
//
// Findings are computed once, at build time, from the graph (whose edges
// the policy engine decided) and the snapshot (for policy documents and
// last-accessed data), and stored in Graph.Findings so every store returns
// the same list.
package findings

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"time"

	"github.com/iamreach/iamreach/graph"
	"github.com/iamreach/iamreach/snapshot"
)

// Options tune the computation. The zero value is usable.
type Options struct {
	// KnownAccounts is the allow-list of accounts outside the organization
	// that are expected (account ID → label). Trusts from them are still
	// reported, at low severity, and `check` treats them as allowed.
	KnownAccounts map[string]string
	// Now is the reference time for unused grants; zero: the snapshot's
	// GeneratedAt (so results do not depend on when they are computed).
	Now time.Time
	// UnusedAfter is how long a granted service may go unused before it is
	// reported; 0: 90 days.
	UnusedAfter time.Duration
	// MaxDepth bounds identity hops in reach; 0: 6.
	MaxDepth int
	// MaxPerOrigin caps external-access findings per outside principal; 0: 200.
	MaxPerOrigin int
}

func (o Options) maxDepth() int {
	if o.MaxDepth <= 0 {
		return 6
	}
	return o.MaxDepth
}

func (o Options) unusedAfter() time.Duration {
	if o.UnusedAfter <= 0 {
		return 90 * 24 * time.Hour
	}
	return o.UnusedAfter
}

func (o Options) maxPerOrigin() int {
	if o.MaxPerOrigin <= 0 {
		return 200
	}
	return o.MaxPerOrigin
}

// Severities, most severe first.
const (
	SevCritical = "critical"
	SevHigh     = "high"
	SevMedium   = "medium"
	SevLow      = "low"
	SevInfo     = "info"
)

// SeverityRank orders severities: 0 is critical; unknown strings sort last.
func SeverityRank(s string) int {
	switch s {
	case SevCritical:
		return 0
	case SevHigh:
		return 1
	case SevMedium:
		return 2
	case SevLow:
		return 3
	case SevInfo:
		return 4
	}
	return 5
}

// lower returns the next lower severity (a condition that must hold makes a
// finding less certain, not harmless).
func lower(s string) string {
	switch s {
	case SevCritical:
		return SevHigh
	case SevHigh:
		return SevMedium
	case SevMedium:
		return SevLow
	}
	return SevInfo
}

// raise returns the next higher severity.
func raise(s string) string {
	switch s {
	case SevInfo:
		return SevLow
	case SevLow:
		return SevMedium
	case SevMedium:
		return SevHigh
	}
	return SevCritical
}

// Kinds lists every finding kind Compute produces, in report order.
var Kinds = []graph.FindingKind{
	graph.FindingPublic, graph.FindingExternalTrust, graph.FindingExternalAccess,
	graph.FindingAdmin, graph.FindingEscalation, graph.FindingConfusedDeputy,
	graph.FindingBlastRadius, graph.FindingWildcardAction, graph.FindingWildcardResource,
	graph.FindingPassRoleAny, graph.FindingDataStoreWildcard, graph.FindingUnusedGrant,
}

// NeedsSnapshot says whether a kind is computed from the snapshot's policy
// documents or last-accessed data rather than from the graph alone.
func NeedsSnapshot(k graph.FindingKind) bool {
	switch k {
	case graph.FindingWildcardAction, graph.FindingWildcardResource, graph.FindingPassRoleAny,
		graph.FindingDataStoreWildcard, graph.FindingUnusedGrant:
		return true
	}
	return false
}

// ParseKind checks a finding kind name.
func ParseKind(s string) (graph.FindingKind, bool) {
	for _, k := range Kinds {
		if string(k) == s {
			return k, true
		}
	}
	return "", false
}

// ID is the stable identity of a finding: the same issue in two snapshots
// has the same ID (diff relies on it), whatever its severity or path.
func ID(kind graph.FindingKind, parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return string(kind) + ":" + hex.EncodeToString(h.Sum(nil))[:16]
}

// Compute returns every finding for a built graph and the snapshot it was
// built from, sorted by severity, kind, subject and target. snap may be
// nil: the findings that need policy documents or last-accessed data
// (least privilege) are then skipped.
func Compute(g *graph.Graph, snap *snapshot.Snapshot, opts Options) []graph.Finding {
	inside := map[string]bool{}
	if snap != nil {
		for _, a := range snap.Accounts {
			inside[a.ID] = true
		}
	}
	for _, n := range g.Nodes {
		if n.Kind == graph.KindAccount && n.Props["external"] != "true" {
			inside[accountOf(n)] = true
		}
	}
	ix := newIndex(g, inside)
	c := &computer{ix: ix, snap: snap, opts: opts, vendors: vendorTable(opts.KnownAccounts)}
	c.externalTrust()
	c.externalAccess()
	c.confusedDeputy()
	c.public()
	c.admins()
	c.escalation()
	c.blastRadius()
	if snap != nil {
		c.leastPrivilege()
	}
	out := dedup(c.out)
	Sort(out)
	return out
}

func accountOf(n graph.Node) string {
	if n.Account != "" {
		return n.Account
	}
	const p = "account:"
	if len(n.ID) > len(p) && n.ID[:len(p)] == p {
		return n.ID[len(p):]
	}
	return n.ID
}

type computer struct {
	ix      *index
	snap    *snapshot.Snapshot
	opts    Options
	vendors map[string]vendor
	out     []graph.Finding
	// resources indexes the snapshot's resources by ARN, built on first use.
	resources map[string]*snapshot.Resource
	seen      map[string]bool // kind + subject of the findings added
	scoped    map[string]bool // needsResource by action pattern
}

func (c *computer) add(f graph.Finding) {
	if c.seen == nil {
		c.seen = map[string]bool{}
	}
	c.seen[string(f.Kind)+"\x00"+f.Subject] = true
	c.out = append(c.out, f)
}

// has says whether a finding of a kind about a subject was already added.
func (c *computer) has(k graph.FindingKind, subject string) bool {
	return c.seen[string(k)+"\x00"+subject]
}

func dedup(fs []graph.Finding) []graph.Finding {
	seen := map[string]int{}
	var out []graph.Finding
	for _, f := range fs {
		if i, ok := seen[f.ID]; ok {
			if SeverityRank(f.Severity) < SeverityRank(out[i].Severity) {
				out[i] = f
			}
			continue
		}
		seen[f.ID] = len(out)
		out = append(out, f)
	}
	return out
}

// Sort orders findings: severity, then kind (report order), then score
// (highest first), subject, target and ID.
func Sort(fs []graph.Finding) {
	kindRank := map[graph.FindingKind]int{}
	for i, k := range Kinds {
		kindRank[k] = i
	}
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if ra, rb := SeverityRank(a.Severity), SeverityRank(b.Severity); ra != rb {
			return ra < rb
		}
		if a.Kind != b.Kind {
			return kindRank[a.Kind] < kindRank[b.Kind]
		}
		if a.Score != b.Score {
			return a.Score > b.Score
		}
		if a.Subject != b.Subject {
			return a.Subject < b.Subject
		}
		if a.Target != b.Target {
			return a.Target < b.Target
		}
		return a.ID < b.ID
	})
}

// name is a node's display name, or the ID when the node is unknown.
func (c *computer) name(id string) string {
	if n := c.ix.nodes[id]; n != nil && n.Name != "" {
		return n.Name
	}
	return id
}
