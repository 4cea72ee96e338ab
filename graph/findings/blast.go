package findings

import (
	"fmt"
	"sort"
	"strings"

	"github.com/iamreach/iamreach/graph"
)

// Sensitivity classes of what a workload reaches, with their weight in
// the blast-radius score.
const (
	ClassData    = "data"    // data stores: buckets, tables, databases, queues
	ClassSecrets = "secrets" // secrets and parameters
	ClassKeys    = "keys"    // KMS keys
	ClassIAM     = "iam"     // identities reached (roles assumed, escalations) and IAM resources
	ClassOther   = "other"
)

var classWeight = map[string]int{ClassData: 3, ClassSecrets: 5, ClassKeys: 5, ClassIAM: 4, ClassOther: 1}

// adminWeight is added to the score of a workload that reaches an
// admin-equivalent principal: it tops the list whatever else it reaches.
const adminWeight = 10000

// Class returns the sensitivity class of a resource type ("s3:bucket").
func Class(typ string) string {
	svc, _, _ := strings.Cut(typ, ":")
	switch svc {
	case "s3", "dynamodb", "rds", "redshift", "es", "aoss", "elasticache", "elasticfilesystem", "glacier", "sqs", "kinesis", "timestream", "neptune-db", "docdb-elastic", "cassandra", "memorydb", "backup":
		return ClassData
	case "secretsmanager", "ssm":
		return ClassSecrets
	case "kms":
		return ClassKeys
	case "iam", "sts":
		return ClassIAM
	}
	return ClassOther
}

type radius struct {
	counts map[string]int
	admin  string // an admin-equivalent identity reached, if any
	top    []string
}

func (r radius) score() int {
	s := 0
	for k, n := range r.counts {
		s += classWeight[k] * n
	}
	if r.admin != "" {
		s += adminWeight
	}
	return s
}

// radiusOf measures what an origin reaches.
func (c *computer) radiusOf(origin string) radius {
	routes, res := c.ix.reach(origin, c.opts.maxDepth())
	r := radius{counts: map[string]int{}}
	for id, h := range routes {
		if id == origin {
			continue
		}
		if isAdmin(c.ix.nodes[id]) && (r.admin == "" || id < r.admin) {
			r.admin = id
		}
		if h.edge != nil && h.edge.Kind == graph.EdgeRunsAs && h.edge.From == origin {
			continue // the workload's own role is the workload, not something it reaches
		}
		n := c.ix.nodes[id]
		if n == nil {
			continue
		}
		if n.Kind == graph.KindRole || n.Kind == graph.KindUser {
			r.counts[ClassIAM]++
		}
	}
	for _, x := range res {
		n := c.ix.nodes[x.resource]
		typ := ""
		if n != nil {
			typ = n.Type
			if n.Kind == graph.KindRole || n.Kind == graph.KindUser || n.Kind == graph.KindGroup {
				typ = "iam:" + strings.ToLower(string(n.Kind))
			}
		}
		cl := Class(typ)
		r.counts[cl]++
		if cl != ClassOther && len(r.top) < 5 {
			r.top = append(r.top, c.name(x.resource))
		}
	}
	return r
}

// blastRadius ranks workloads (resources that run as a role) by what they
// reach, weighted by sensitivity. Workloads running as the same roles share
// one computation.
func (c *computer) blastRadius() {
	cache := map[string]radius{}
	var ids []string
	for id := range c.ix.nodes {
		if c.isWorkload(id) {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	for _, id := range ids {
		var roles []string
		for _, e := range c.ix.out[id] {
			if e.Kind == graph.EdgeRunsAs {
				roles = append(roles, e.To)
			}
		}
		sort.Strings(roles)
		key := strings.Join(roles, ",")
		// Other identity edges from the workload itself make it unique.
		for _, e := range c.ix.out[id] {
			if e.Kind != graph.EdgeRunsAs && (isIdentityEdge(e.Kind) || isAccessEdge(e.Kind)) {
				key = "self:" + id
			}
		}
		r, ok := cache[key]
		if !ok {
			r = c.radiusOf(id)
			cache[key] = r
		}
		score := r.score()
		if score == 0 {
			continue
		}
		n := c.ix.nodes[id]
		sev := SevLow
		switch {
		case r.admin != "":
			sev = SevCritical
		case r.counts[ClassSecrets]+r.counts[ClassKeys]+r.counts[ClassIAM] > 0 && r.counts[ClassData] >= 10:
			sev = SevHigh
		case r.counts[ClassData]+r.counts[ClassSecrets]+r.counts[ClassKeys]+r.counts[ClassIAM] > 0:
			sev = SevMedium
		}
		detail := fmt.Sprintf("reaches %d data stores, %d secrets, %d keys, %d IAM identities/resources, %d other",
			r.counts[ClassData], r.counts[ClassSecrets], r.counts[ClassKeys], r.counts[ClassIAM], r.counts[ClassOther])
		if r.admin != "" {
			detail += "; becomes admin-equivalent " + c.name(r.admin)
		}
		if len(r.top) > 0 {
			detail += "; e.g. " + strings.Join(r.top, ", ")
		}
		f := graph.Finding{
			Kind: graph.FindingBlastRadius, Severity: sev, Subject: id, Account: n.Account, Score: score,
			Title:  fmt.Sprintf("Blast radius of %s: score %d", n.Name, score),
			Detail: detail,
		}
		if len(roles) > 0 {
			f.Target = roles[0]
		}
		f.ID = ID(f.Kind, f.Subject)
		c.add(f)
	}
}
