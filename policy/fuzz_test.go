package policy_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iamreach/iamreach/policy"
)

// Seeds shared with the scenario corpus: every policy document found
// under testdata/scenarios.
func corpusPolicies(f *testing.F) {
	f.Helper()
	files, _ := filepath.Glob(filepath.Join("testdata", "scenarios", "*.json"))
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		var raw map[string]json.RawMessage
		if json.Unmarshal(b, &raw) != nil {
			continue
		}
		for _, k := range []string{"resourcePolicy", "sessionPolicy"} {
			if len(raw[k]) > 4 {
				f.Add([]byte(raw[k]))
			}
		}
		var ids []struct {
			Policy json.RawMessage `json:"policy"`
		}
		if json.Unmarshal(raw["identityPolicies"], &ids) == nil {
			for _, p := range ids {
				f.Add([]byte(p.Policy))
			}
		}
	}
}

// FuzzParse: Parse never panics; it returns a policy or a *ParseError
// with a code, and a parsed policy can be evaluated.
func FuzzParse(f *testing.F) {
	f.Add([]byte(tenStatementPolicy))
	f.Add([]byte(`{"Version":"2012-10-17","Statement":{"Effect":"Deny","NotPrincipal":{"AWS":["111111111111"]},"NotAction":"s3:*","NotResource":"arn:aws:s3:::b/${aws:username}/*","Condition":{"ForAllValues:StringLike":{"aws:TagKeys":["a*"]},"Null":{"x:y":true},"DateLessThan":{"aws:CurrentTime":1767225600}}}}`))
	f.Add([]byte(`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*"}]}`))
	f.Add([]byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","::/0"]}}}]}`))
	f.Add([]byte(`{`))
	corpusPolicies(f)
	f.Fuzz(func(t *testing.T, doc []byte) {
		p, err := policy.Parse(doc)
		if err != nil {
			var pe *policy.ParseError
			if !errors.As(err, &pe) || pe.Code == "" || pe.Msg == "" {
				t.Fatalf("error is not a coded *ParseError: %v", err)
			}
			return
		}
		for i, s := range p.Statements() {
			if s.Index != i || (s.Effect != "Allow" && s.Effect != "Deny") {
				t.Fatalf("bad statement view %+v", s)
			}
		}
		req := benchRequest()
		req.Context = map[string][]string{"aws:sourceip": {"10.1.2.3"}, "aws:tagkeys": {"a", "b"}}
		for _, mode := range []policy.Mode{policy.Strict, policy.Discovery} {
			set := policy.PolicySet{Identity: []policy.NamedPolicy{{ID: "p", Policy: p}}, Resource: &policy.NamedPolicy{ID: "r", Policy: p}}
			d := policy.Evaluate(&req, &set, mode)
			if mode == policy.Strict && d.Conditional() {
				t.Fatalf("strict decision with a residual: %s", d.Residual)
			}
			if d.Residual != nil && d.Residual.String() == "" {
				t.Fatal("empty residual text")
			}
		}
	})
}

// FuzzMatch: the wildcard matchers never panic, agree with themselves
// under case changes where they must, and literal patterns match exactly.
func FuzzMatch(f *testing.F) {
	f.Add("s3:Get*", "s3:GetObject", "arn:aws:s3:::b/*", "arn:aws:s3:::b/k")
	f.Add("*", "iam:PassRole", "arn:aws:iam::*:role/?x", "arn:aws:iam::1:role/ax")
	f.Add("ec2:*Instances", "ec2:RunInstances", "arn:aws:ec2:*:*:instance/*", "arn:aws:ec2:us-east-1:1:instance/i-1")
	f.Add("a:**?*", "a:b", "arn:*:*:*:*:*", "arn:aws:sqs:us-east-1:1:q:with:colons")
	f.Fuzz(func(t *testing.T, ap, action, rp, arn string) {
		m := policy.MatchAction(ap, action)
		if m != policy.MatchAction(asciiUpper(ap), asciiLower(action)) {
			t.Fatalf("action matching is not case-insensitive: %q %q", ap, action)
		}
		if !strings.ContainsAny(ap, "*?") && m != (asciiLower(ap) == asciiLower(action)) {
			t.Fatalf("literal action pattern %q vs %q = %v", ap, action, m)
		}
		if !policy.MatchAction("*", action) {
			t.Fatal(`"*" must match every action`)
		}
		r := policy.MatchResource(rp, arn)
		if policy.CompileResourceMatcher(rp).Match(arn) != r {
			t.Fatalf("CompileResourceMatcher(%q).Match(%q) disagrees with MatchResource", rp, arn)
		}
		if !strings.ContainsAny(rp, "*?") && r && rp != arn {
			t.Fatalf("literal resource pattern %q matched %q", rp, arn)
		}
		if !policy.MatchResource("*", arn) {
			t.Fatal(`"*" must match every resource`)
		}
		if strings.Count(arn, ":") >= 5 && !strings.ContainsAny(arn, "*?\x01\x02") && !policy.MatchResource(arn, arn) {
			t.Fatalf("ARN %q does not match itself", arn)
		}
	})
}

// FuzzConditions: every operator with arbitrary policy and request
// values never panics, negation is exact, and IfExists only differs when
// the key is absent.
func FuzzConditions(f *testing.F) {
	ops := []string{"StringEquals", "StringLike", "StringEqualsIgnoreCase", "NumericLessThan", "NumericEquals", "DateGreaterThan", "DateEquals",
		"Bool", "BinaryEquals", "IpAddress", "ArnLike", "ArnEquals"}
	for i, op := range ops {
		f.Add(uint8(i), "v", "v", false)
		f.Add(uint8(i), "10.0.0.0/8", "10.1.2.3", true)
		f.Add(uint8(i), "2026-01-01T00:00:00Z", "1767225601", false)
		f.Add(uint8(i), "arn:aws:s3:::b*", "arn:aws:s3:::bucket", true)
		f.Add(uint8(i), "${aws:username}-*", "alice-1", false)
		_ = op
	}
	f.Fuzz(func(t *testing.T, opIdx uint8, policyValue, requestValue string, multi bool) {
		op := ops[int(opIdx)%len(ops)]
		neg := map[string]string{"StringEquals": "StringNotEquals", "StringLike": "StringNotLike", "StringEqualsIgnoreCase": "StringNotEqualsIgnoreCase",
			"NumericEquals": "NumericNotEquals", "DateEquals": "DateNotEquals", "IpAddress": "NotIpAddress", "ArnLike": "ArnNotLike", "ArnEquals": "ArnNotEquals"}[op]
		pv, _ := json.Marshal(policyValue)
		doc := func(o string) []byte {
			return []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"` + o + `":{"a:k":` + string(pv) + `}}}]}`)
		}
		eval := func(o string, present bool) (policy.Result, bool) {
			p, err := policy.Parse(doc(o))
			if err != nil {
				var pe *policy.ParseError
				if !errors.As(err, &pe) {
					t.Fatalf("not a ParseError: %v", err)
				}
				return 0, false
			}
			req := benchRequest()
			req.Principal = policy.Principal{Type: policy.PrincipalUser, ARN: "arn:aws:iam::111111111111:user/alice", Account: "111111111111"}
			if present {
				vals := []string{requestValue}
				if multi {
					vals = append(vals, requestValue+"x")
				}
				req.Context = map[string][]string{"a:k": vals}
			}
			set := policy.PolicySet{Identity: []policy.NamedPolicy{{ID: "p", Policy: p}}}
			return policy.Evaluate(&req, &set, policy.Strict).Result, true
		}
		pos, ok := eval(op, true)
		if !ok {
			return
		}
		if neg != "" && !multi {
			n, ok := eval(neg, true)
			if ok && (n == policy.Allowed) == (pos == policy.Allowed) {
				t.Fatalf("%s and %s agree on %q vs %q", op, neg, policyValue, requestValue)
			}
		}
		ie, ok := eval(op+"IfExists", true)
		if ok && ie != pos {
			t.Fatalf("%sIfExists differs from %s with the key present", op, op)
		}
		if r, ok := eval(op+"IfExists", false); ok && r != policy.Allowed {
			t.Fatalf("%sIfExists must hold when the key is absent", op)
		}
		if r, ok := eval(op, false); ok && r == policy.Allowed {
			t.Fatalf("%s must not hold when the key is absent", op)
		}
	})
}

func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func asciiUpper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - ('a' - 'A')
		}
	}
	return string(b)
}

// FuzzSimulation: any simulation input either fails with an error naming a
// field or compiles to a request that evaluates without panicking, in both
// modes.
func FuzzSimulation(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "scenarios", "*.json"))
	for _, file := range files {
		if b, err := os.ReadFile(file); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"request":{"principal":{"type":"Anonymous"},"action":"s3:GetObject","resource":{"resource":"*","accountId":""}}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		sim, err := policy.ParseSimulation(b)
		if err != nil {
			return
		}
		req, set, err := sim.Compile()
		if err != nil {
			var se *policy.SimError
			if !errors.As(err, &se) || se.Field == "" {
				t.Fatalf("error without a field: %v", err)
			}
			return
		}
		for _, m := range []policy.Mode{policy.Strict, policy.Discovery} {
			d := policy.Evaluate(req, set, m)
			if d.Result != policy.Allowed && d.Residual != nil {
				t.Fatalf("a residual on a %v decision", d.Result)
			}
			_ = policy.NewDecisionJSON(d)
		}
	})
}
