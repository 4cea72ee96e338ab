package graph

import (
	"fmt"
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
