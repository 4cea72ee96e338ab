package collector_test

import (
	"context"
	"strings"
	"testing"

	"github.com/iamreach/iamreach/collector"
)

// Bad input stops the collection with one line that says what to fix.
func TestCollectBadInput(t *testing.T) {
	f := sharedFixture(t)
	cases := []struct {
		name  string
		rules []*faultRule
		opts  collector.Options
		want  string
	}{
		{"expired credentials", []*faultRule{{service: "sts", operation: "GetCallerIdentity", fault: deny, code: "ExpiredToken"}}, collector.Options{},
			"credentials have expired"},
		{"invalid credentials", []*faultRule{{service: "sts", operation: "GetCallerIdentity", fault: deny, code: "InvalidClientTokenId"}}, collector.Options{},
			"credentials are not valid"},
		{"no permission to read the organization", []*faultRule{{service: "organizations", operation: "DescribeOrganization", fault: deny}}, collector.Options{},
			"no permission to read the organization"},
		{"member account cannot list accounts", []*faultRule{{service: "organizations", operation: "ListAccounts", fault: deny}}, collector.Options{},
			"pass --no-org"},
		{"region that does not exist", nil, collector.Options{Regions: []string{"eu-westt-1"}}, `region "eu-westt-1" does not exist`},
		{"account outside the organization", nil, collector.Options{Accounts: []string{"000000000001"}}, "account 000000000001 is not in the organization"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := newFaultProxy(f.endpoint, c.rules...)
			defer p.Close()
			c.opts.EndpointURL = p.URL()
			c.opts.MaxAttempts = 1
			col, err := collector.New(baseConfig(p.URL(), "us-east-1", "testing", "testing", ""), c.opts)
			if err != nil {
				t.Fatal(err)
			}
			s, err := col.Run(context.Background())
			if err == nil || s != nil {
				t.Fatalf("want an error, got snapshot %v, err %v", s != nil, err)
			}
			if !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q: want one line containing %q", err, c.want)
			}
		})
	}
	t.Run("no organization permission with --no-org collects the caller's account", func(t *testing.T) {
		p := newFaultProxy(f.endpoint, &faultRule{service: "organizations", fault: deny})
		defer p.Close()
		s, _, _ := collect(t, p.URL(), collector.Options{NoOrg: true, Services: []string{"iam"}})
		if len(s.Accounts) != 1 || s.Accounts[0].ID != managementID || s.Organization != nil || len(s.Accounts[0].Users) != 2 {
			t.Errorf("got %d accounts, org %v", len(s.Accounts), s.Organization)
		}
	})
}

// Options that cannot be right are refused before any call.
func TestNewRejectsBadOptions(t *testing.T) {
	for _, c := range []struct {
		opts collector.Options
		want string
	}{
		{collector.Options{Services: []string{"s3", "lamda"}}, `unknown service "lamda"`},
		{collector.Options{Regions: []string{"Europe"}}, `region "Europe" is not a region name`},
	} {
		_, err := collector.New(baseConfig("http://127.0.0.1:1", "us-east-1", "k", "s", ""), c.opts)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: err %v, want %q", c.opts, err, c.want)
		}
	}
}

// --accounts, --exclude-accounts and --services narrow the collection.
func TestCollectSelection(t *testing.T) {
	f := sharedFixture(t)
	prod, audit := f.accounts["workloads-prod"], f.accounts["security-audit"]
	s, _, _ := collect(t, f.endpoint, collector.Options{ExcludeAccounts: []string{audit}, Services: []string{"iam", "lambda"}})
	if len(s.Accounts) != 2 || s.Organization == nil {
		t.Fatalf("exclude: %d accounts", len(s.Accounts))
	}
	for _, a := range s.Accounts {
		if a.ID == audit {
			t.Error("excluded account collected")
		}
		for _, r := range a.Resources {
			if r.Type != "lambda:function" {
				t.Errorf("service not asked for: %s", r.ARN)
			}
		}
	}
	s, _, _ = collect(t, f.endpoint, collector.Options{Accounts: []string{prod}, Regions: []string{"eu-west-1"}, Services: []string{"s3"}})
	if len(s.Accounts) != 1 || s.Accounts[0].ID != prod || len(s.Accounts[0].Roles) != 0 {
		t.Fatalf("accounts: %+v", s.Accounts)
	}
	if r := s.Accounts[0].Resources; len(r) != 1 || r[0].Name != "orders-archive" {
		t.Errorf("only the eu-west-1 bucket is in eu-west-1: %+v", r)
	}
}
