package graph

import (
	"fmt"
	"strings"
	"testing"

	"github.com/iamreach/iamreach/snapshot"
)

// TestPolicyShapes checks which resource policies are grouped: the same
// document but for the resource's own ARN in Resource elements, and
// nothing else.
func TestPolicyShapes(t *testing.T) {
	doc := func(arn, extra string) string {
		return fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"s3:GetObject","Resource":["%s","%s/*"]%s}]}`, arn, arn, extra)
	}
	cond := func(arn string) string {
		return fmt.Sprintf(`,"Condition":{"ArnEquals":{"aws:SourceArn":"%s"}}`, arn)
	}
	tests := []struct {
		name      string
		a, b      string // policies of buckets a and b
		sameShape bool
		grouped   bool // both get a shape
	}{
		{"own ARN in Resource only", doc("arn:aws:s3:::a", ""), doc("arn:aws:s3:::b", ""), true, true},
		{"own ARN also in a condition", doc("arn:aws:s3:::a", cond("arn:aws:s3:::a")), doc("arn:aws:s3:::b", cond("arn:aws:s3:::b")), false, false},
		{"another bucket named", doc("arn:aws:s3:::a", ""), doc("arn:aws:s3:::a", ""), false, true},
		{"escaped text", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::a\/*"}]}`, doc("arn:aws:s3:::b", ""), false, false},
		{"policy variable", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::a/${aws:username}/*"}]}`, doc("arn:aws:s3:::b", ""), false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBuilder(&snapshot.Snapshot{}, BuildOptions{})
			mk := func(name, policy string) *resource {
				src := &snapshot.Resource{ARN: "arn:aws:s3:::" + name, Type: snapshot.TypeS3Bucket, Name: name, Policy: []byte(policy)}
				r := &resource{src: src, account: "111111111111"}
				r.named = b.parse(r.account, src.ARN+"#policy", name, src.Policy)
				if r.named == nil {
					t.Fatalf("policy of %s does not parse", name)
				}
				b.setShape(r)
				return r
			}
			ra, rb := mk("a", tt.a), mk("b", tt.b)
			if got := ra.shape != 0 && rb.shape != 0; got != tt.grouped {
				t.Fatalf("both shaped = %v, want %v (shapes %d, %d)", got, tt.grouped, ra.shape, rb.shape)
			}
			if got := ra.shape != 0 && ra.shape == rb.shape; got != tt.sameShape {
				t.Fatalf("same shape = %v, want %v (shapes %d, %d)", got, tt.sameShape, ra.shape, rb.shape)
			}
		})
	}
}

// TestResourceTagConditions checks that resources told apart only by
// their tags are decided one by one when a condition reads the tags: an
// identity policy's aws:ResourceTag condition, and a bucket policy's.
func TestResourceTagConditions(t *testing.T) {
	const acct = "111111111111"
	role := func(name, doc string) snapshot.Role {
		return snapshot.Role{ARN: "arn:aws:iam::" + acct + ":role/" + name, Name: name,
			TrustPolicy:    []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`),
			InlinePolicies: []snapshot.InlinePolicy{{Name: "p", Document: []byte(doc)}}}
	}
	secret := func(name, team string) snapshot.Resource {
		return snapshot.Resource{ARN: "arn:aws:secretsmanager:us-east-1:" + acct + ":secret:" + name, Type: snapshot.TypeSecret, Name: name, Account: acct, Tags: map[string]string{"team": team}}
	}
	bucket := func(name, team string) snapshot.Resource {
		arn := "arn:aws:s3:::" + name
		return snapshot.Resource{ARN: arn, Type: snapshot.TypeS3Bucket, Name: name, Account: acct, Tags: map[string]string{"team": team},
			Policy: []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"` + arn + `/*","Condition":{"StringNotEquals":{"aws:ResourceTag/team":"payments"}}}]}`)}
	}
	snap := &snapshot.Snapshot{Accounts: []snapshot.Account{{ID: acct,
		Roles: []snapshot.Role{
			role("abac", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/team":"payments"}}}]}`),
			role("reader", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`),
		},
		Resources: []snapshot.Resource{
			secret("s1", "payments"), secret("s2", "search"), secret("s3", "payments"),
			bucket("b1", "payments"), bucket("b2", "search"), bucket("b3", "payments"),
		},
	}}}
	g, err := Build(snap, BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	reach := map[string]bool{}
	for _, e := range g.Edges {
		if e.Kind != EdgeCanAccess {
			continue
		}
		if strings.HasPrefix(e.To, "scope:") {
			t.Errorf("unexpected scope edge %s → %s", e.From, e.To)
		}
		reach[shortName(e.From)+"→"+shortName(e.To)] = true
	}
	for _, want := range []string{"abac→s1", "abac→s3", "reader→b1", "reader→b3"} {
		if !reach[want] {
			t.Errorf("missing edge %s; edges: %v", want, reach)
		}
	}
	for _, not := range []string{"abac→s2", "reader→b2"} {
		if reach[not] {
			t.Errorf("unexpected edge %s", not)
		}
	}
}
