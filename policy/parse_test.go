package policy_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/iamreach/iamreach/policy"
)

func TestParseViews(t *testing.T) {
	doc := `{"Version":"2012-10-17","Statement":[
	 {"Sid":"A","Effect":"Allow","Action":"s3:GetObject","Resource":["arn:aws:s3:::b/*","arn:aws:s3:::c/*"]},
	 {"Effect":"Deny","NotAction":["iam:*","sts:*"],"NotResource":"arn:aws:iam::*:role/x","Condition":{"Bool":{"aws:SecureTransport":false}}},
	 {"Effect":"Allow","Principal":{"AWS":["111111111111","arn:aws:iam::222222222222:role/r"],"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"},
	 {"Effect":"Deny","NotPrincipal":"*","Action":"*","Resource":"*"},
	 {"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}
	]}`
	p, err := policy.Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	st := p.Statements()
	if len(st) != 5 {
		t.Fatalf("%d statements", len(st))
	}
	if st[0].Sid != "A" || st[0].Effect != "Allow" || !slices.Equal(st[0].Resources, []string{"arn:aws:s3:::b/*", "arn:aws:s3:::c/*"}) || st[0].HasCondition {
		t.Errorf("statement 0: %+v", st[0])
	}
	if st[1].Effect != "Deny" || !slices.Equal(st[1].NotActions, []string{"iam:*", "sts:*"}) || st[1].Actions != nil || !st[1].HasCondition || len(st[1].NotResources) != 1 {
		t.Errorf("statement 1: %+v", st[1])
	}
	if got := st[2].Principals["AWS"]; len(got) != 2 || st[2].Principals["Service"][0] != "lambda.amazonaws.com" {
		t.Errorf("statement 2: %+v", st[2].Principals)
	}
	if st[3].NotPrincipals["*"] == nil || st[3].Principals != nil {
		t.Errorf("statement 3: %+v", st[3])
	}
	if st[4].Principals["*"] == nil || st[4].Index != 4 || string(st[4].Raw) == "" {
		t.Errorf("statement 4: %+v", st[4])
	}
}

func TestParseSingleStatementObject(t *testing.T) {
	p, err := policy.Parse([]byte(`{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Statements()) != 1 || p.Version() != "" {
		t.Fatalf("%+v", p.Statements())
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, doc, code, field string
		idx                    int
	}{
		{"syntax", `{"Statement":[`, policy.CodeJSONSyntax, "", -1},
		{"not object", `[]`, policy.CodeJSONSyntax, "", -1},
		{"version", `{"Version":"2020-01-01","Statement":[]}`, policy.CodeInvalidVersion, "Version", -1},
		{"no statement", `{"Version":"2012-10-17"}`, policy.CodeMissingStatement, "Statement", -1},
		{"both actions", `{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"},{"Effect":"Allow","Action":"s3:*","NotAction":"s3:Get*","Resource":"*"}]}`, policy.CodeActionAndNotAction, "NotAction", 1},
		{"effect", `{"Statement":[{"Effect":"allow","Action":"s3:*","Resource":"*"}]}`, policy.CodeInvalidEffect, "Effect", 0},
		{"no effect", `{"Statement":[{"Action":"s3:*","Resource":"*"}]}`, policy.CodeMissingEffect, "Effect", 0},
		{"no action", `{"Statement":[{"Effect":"Allow","Resource":"*"}]}`, policy.CodeMissingAction, "Action", 0},
		{"bad action", `{"Statement":[{"Effect":"Allow","Action":"GetObject","Resource":"*"}]}`, policy.CodeInvalidAction, "Action", 0},
		{"bad arn", `{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"bucket"}]}`, policy.CodeInvalidARN, "Resource", 0},
		{"short arn", `{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3"}]}`, policy.CodeMissingARNField, "Resource", 0},
		{"null if exists", `{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"NullIfExists":{"a:b":"true"}}}]}`, policy.CodeNullWithIfExists, "Condition.NullIfExists", 0},
		{"wildcard service", `{"Statement":[{"Effect":"Allow","Action":"*:Get*","Resource":"*"}]}`, policy.CodeInvalidServiceInAct, "Action", 0},
		{"operator", `{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEqualz":{"a:b":"c"}}}]}`, policy.CodeInvalidOperator, "Condition.StringEqualz", 0},
		{"bad ip", `{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.300/8"}}}]}`, policy.CodeInvalidConditionVal, "Condition.IpAddress.aws:SourceIp", 0},
		{"action type", `{"Statement":[{"Effect":"Allow","Action":5,"Resource":"*"}]}`, policy.CodeInvalidFieldType, "Action", 0},
		{"principal", `{"Statement":[{"Effect":"Allow","Principal":{"Bogus":"x"},"Action":"s3:*"}]}`, policy.CodeInvalidPrincipalKey, "Principal.Bogus", 0},
		{"principal value", `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"bob"},"Action":"s3:*"}]}`, policy.CodeInvalidPrincipal, "Principal.AWS", 0},
		{"dup sid", `{"Statement":[{"Sid":"a","Effect":"Allow","Action":"s3:*","Resource":"*"},{"Sid":"a","Effect":"Allow","Action":"s3:*","Resource":"*"}]}`, policy.CodeDuplicateSid, "Sid", 1},
		{"unknown element", `{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Foo":1}]}`, policy.CodeUnknownField, "Foo", 0},
		{"dup key", `{"Statement":[{"Effect":"Allow","Effect":"Deny","Action":"s3:*","Resource":"*"}]}`, policy.CodeJSONSyntax, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := policy.Parse([]byte(tt.doc))
			var pe *policy.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want *ParseError", err)
			}
			if pe.Code != tt.code || pe.Field != tt.field || pe.StatementIndex != tt.idx {
				t.Fatalf("got %+v, want code %s field %q index %d", pe, tt.code, tt.field, tt.idx)
			}
			if !errors.Is(err, &policy.ParseError{Code: tt.code}) {
				t.Fatalf("errors.Is by code failed")
			}
			if pe.Error() == "" {
				t.Fatal("empty message")
			}
		})
	}
}

func TestParseDeletedPrincipalUniqueID(t *testing.T) {
	// After a role is deleted, AWS shows its unique ID in trust and resource
	// policies; such documents must still parse, and the ID names no one.
	p, err := policy.Parse([]byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["AROAEXAMPLEID1234567","arn:aws:iam::111111111111:root"]},"Action":"sts:AssumeRole"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Statements()[0].Principals["AWS"]; len(got) != 2 {
		t.Fatalf("principals %v", got)
	}
}

func TestParseAPIGatewayShortResource(t *testing.T) {
	p, err := policy.Parse([]byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/prod/GET/pets"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	req := policy.Request{Principal: policy.Principal{Type: policy.PrincipalAnonymous}, Action: "execute-api:Invoke",
		Resource: policy.Resource{ARN: "arn:aws:execute-api:us-east-1:111111111111:a1b2c3/prod/GET/pets", Account: "111111111111"}}
	set := policy.PolicySet{Resource: &policy.NamedPolicy{ID: "api", Policy: p}}
	if d := policy.Evaluate(&req, &set, policy.Strict); d.Result != policy.Allowed {
		t.Fatalf("execute-api short resource: %v", d.Result)
	}
	req.Resource.ARN = "arn:aws:execute-api:us-east-1:111111111111:a1b2c3/prod/POST/pets"
	if d := policy.Evaluate(&req, &set, policy.Strict); d.Result != policy.ImplicitlyDenied {
		t.Fatalf("other method: %v", d.Result)
	}
}
