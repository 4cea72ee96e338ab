package catalog_test

import (
	"slices"
	"testing"

	"github.com/iamreach/iamreach/policy/catalog"
)

func TestLoads(t *testing.T) {
	if err := catalog.Err(); err != nil {
		t.Fatal(err)
	}
	if n := len(catalog.Services()); n < 300 {
		t.Fatalf("only %d services", n)
	}
}

func TestLookup(t *testing.T) {
	tests := []struct {
		action, name, level string
		ok                  bool
	}{
		{"s3:GetObject", "s3:GetObject", catalog.LevelRead, true},
		{"S3:GETOBJECT", "s3:GetObject", catalog.LevelRead, true},
		{"s3:ListBucket", "s3:ListBucket", catalog.LevelList, true},
		{"iam:PutRolePolicy", "iam:PutRolePolicy", catalog.LevelPermissions, true},
		{"iam:TagRole", "iam:TagRole", catalog.LevelTagging, true},
		{"lambda:CreateFunction", "lambda:CreateFunction", catalog.LevelWrite, true},
		{"s3:NoSuchThing", "", "", false},
		{"nosuchservice:Get", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.action, func(t *testing.T) {
			a, ok := catalog.Lookup(tt.action)
			if ok != tt.ok {
				t.Fatalf("Lookup ok = %v, want %v", ok, tt.ok)
			}
			if !ok {
				if l := catalog.Level(tt.action); l != catalog.LevelUnknown {
					t.Fatalf("Level = %q, want Unknown", l)
				}
				return
			}
			if a.Name != tt.name || a.Level != tt.level || a.Service == "" {
				t.Fatalf("got %+v", a)
			}
			if catalog.Level(tt.action) != tt.level {
				t.Fatalf("Level mismatch")
			}
		})
	}
	a, _ := catalog.Lookup("s3:GetObject")
	if !slices.Contains(a.ResourceTypes, "object") || !slices.Contains(a.ConditionKeys, "s3:ExistingObjectTag/<key>") {
		t.Fatalf("s3:GetObject details: %+v", a)
	}
}

func TestExpand(t *testing.T) {
	got := catalog.Expand("s3:GetObject*")
	if !slices.Contains(got, "s3:GetObject") || !slices.Contains(got, "s3:GetObjectAcl") || slices.Contains(got, "s3:PutObject") {
		t.Fatalf("Expand(s3:GetObject*) = %v", got)
	}
	if got := catalog.Expand("sts:AssumeRole"); !slices.Equal(got, []string{"sts:AssumeRole"}) {
		t.Fatalf("literal: %v", got)
	}
	if got := catalog.Expand("STS:assumerol?withwebidentit?"); !slices.Contains(got, "sts:AssumeRoleWithWebIdentity") {
		t.Fatalf("?: %v", got)
	}
	all := catalog.Expand("*")
	if len(all) < 15000 {
		t.Fatalf("Expand(*) = %d actions", len(all))
	}
	if got := catalog.Expand("*:CreateAccessKey"); !slices.Equal(got, []string{"iam:CreateAccessKey"}) {
		t.Fatalf("*:CreateAccessKey: %v", got)
	}
	if got := catalog.Expand("nosuch:*"); len(got) != 0 {
		t.Fatalf("unknown service: %v", got)
	}
}

func TestRCPAndServices(t *testing.T) {
	for _, s := range []string{"s3", "sts", "kms", "sqs", "secretsmanager"} {
		if !catalog.RCPSupported(s) {
			t.Errorf("RCPSupported(%s) = false", s)
		}
	}
	if catalog.RCPSupported("iam") {
		t.Errorf("RCPSupported(iam) = true")
	}
	acts := catalog.ServiceActions("sts")
	if !slices.Contains(acts, "sts:AssumeRole") || !slices.IsSorted(acts) {
		t.Fatalf("ServiceActions(sts) = %v", acts)
	}
	var found bool
	for _, rt := range catalog.ResourceTypes("s3") {
		if rt.Name == "bucket" && rt.ARN == "arn:${Partition}:s3:::${BucketName}" {
			found = true
		}
	}
	if !found {
		t.Fatalf("s3 bucket resource type missing: %v", catalog.ResourceTypes("s3"))
	}
}

func TestKeyTypes(t *testing.T) {
	tests := []struct {
		key, typ string
		multi    bool
	}{
		{"aws:TagKeys", "ArrayOfString", true},
		{"AWS:tagkeys", "ArrayOfString", true},
		{"aws:PrincipalOrgPaths", "ArrayOfString", true},
		{"aws:CalledVia", "ArrayOfString", true},
		{"aws:SourceIp", "IPAddress", false},
		{"aws:SecureTransport", "Bool", false},
		{"aws:CurrentTime", "Date", false},
		{"aws:PrincipalTag/team", "String", false},
		{"aws:PrincipalArn", "ARN", false},
		{"no:such", "String", false},
	}
	for _, tt := range tests {
		if got := catalog.KeyType(tt.key); got != tt.typ {
			t.Errorf("KeyType(%s) = %s, want %s", tt.key, got, tt.typ)
		}
		if got := catalog.MultiValued(tt.key); got != tt.multi {
			t.Errorf("MultiValued(%s) = %v", tt.key, got)
		}
	}
}
