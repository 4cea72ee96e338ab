package collector

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/iamreach/iamreach/collector/policydoc"
	"github.com/iamreach/iamreach/snapshot"
)

// orgAPI is what the collector asks AWS Organizations.
type orgAPI interface {
	DescribeOrganization(context.Context, *organizations.DescribeOrganizationInput, ...func(*organizations.Options)) (*organizations.DescribeOrganizationOutput, error)
	ListAccounts(context.Context, *organizations.ListAccountsInput, ...func(*organizations.Options)) (*organizations.ListAccountsOutput, error)
	ListRoots(context.Context, *organizations.ListRootsInput, ...func(*organizations.Options)) (*organizations.ListRootsOutput, error)
	ListOrganizationalUnitsForParent(context.Context, *organizations.ListOrganizationalUnitsForParentInput, ...func(*organizations.Options)) (*organizations.ListOrganizationalUnitsForParentOutput, error)
	ListAccountsForParent(context.Context, *organizations.ListAccountsForParentInput, ...func(*organizations.Options)) (*organizations.ListAccountsForParentOutput, error)
	ListPolicies(context.Context, *organizations.ListPoliciesInput, ...func(*organizations.Options)) (*organizations.ListPoliciesOutput, error)
	DescribePolicy(context.Context, *organizations.DescribePolicyInput, ...func(*organizations.Options)) (*organizations.DescribePolicyOutput, error)
	ListTargetsForPolicy(context.Context, *organizations.ListTargetsForPolicyInput, ...func(*organizations.Options)) (*organizations.ListTargetsForPolicyOutput, error)
}

var errNoOrganization = errors.New("not in an organization")

// collectOrganization reads the organization from the management account
// or a delegated administrator. Not being in an organization is
// errNoOrganization; not being allowed to list it is an error that says
// what to do. Failures after the account list are gaps.
func (c *Collector) collectOrganization(ctx context.Context, caller string) (*snapshot.Organization, []snapshot.Account, error) {
	cfg := c.callerConfig()
	var client orgAPI = organizations.NewFromConfig(cfg)
	s := &Scope{Account: caller, Config: cfg, service: "organizations", c: c}

	cctx, cancel := context.WithTimeout(ctx, c.opts.CallTimeout)
	d, err := client.DescribeOrganization(cctx, &organizations.DescribeOrganizationInput{})
	cancel()
	if err != nil {
		code, msg := Classify(err)
		switch {
		case code == "AWSOrganizationsNotInUseException":
			return nil, nil, errNoOrganization
		case ctx.Err() != nil:
			return nil, nil, ctx.Err()
		case code == "AccessDeniedException" || code == "AccessDenied":
			return nil, nil, fmt.Errorf("no permission to read the organization (organizations:DescribeOrganization: %s): use the management account or a delegated administrator, or pass --no-org to collect only account %s", msg, caller)
		}
		return nil, nil, fmt.Errorf("read the organization (organizations:DescribeOrganization): %s: %s", code, msg)
	}
	if d.Organization == nil {
		return nil, nil, errors.New("read the organization (organizations:DescribeOrganization): the answer holds no organization")
	}
	org := &snapshot.Organization{ID: str(d.Organization.Id), ManagementAccountID: str(d.Organization.MasterAccountId)}

	var accounts []snapshot.Account
	p := organizations.NewListAccountsPaginator(client, &organizations.ListAccountsInput{})
	for p.HasMorePages() {
		cctx, cancel := context.WithTimeout(ctx, c.opts.CallTimeout)
		page, err := p.NextPage(cctx)
		cancel()
		if err != nil {
			code, msg := Classify(err)
			if code == "AccessDeniedException" || code == "AccessDenied" {
				return nil, nil, fmt.Errorf("no permission to list the organization's accounts (organizations:ListAccounts: %s): account %s is a member; run from the management account or a delegated administrator, or pass --no-org", msg, caller)
			}
			if ctx.Err() != nil {
				return nil, nil, ctx.Err()
			}
			return nil, nil, fmt.Errorf("list the organization's accounts (organizations:ListAccounts): %s: %s", code, msg)
		}
		for _, a := range page.Accounts {
			accounts = append(accounts, snapshot.Account{ID: str(a.Id), Name: str(a.Name), Email: str(a.Email), Status: accountStatus(a)})
		}
	}

	// The OU tree, breadth first, and which unit holds each account.
	parentOf := map[string]string{}
	var roots []orgtypes.Root
	lr := organizations.NewListRootsPaginator(client, &organizations.ListRootsInput{})
	Pages(ctx, s, "ListRoots", "", lr.HasMorePages, lr.NextPage, func(o *organizations.ListRootsOutput) { roots = append(roots, o.Roots...) })
	var queue []string
	for _, r := range roots {
		org.Units = append(org.Units, snapshot.OrgUnit{ID: str(r.Id), ARN: str(r.Arn), Name: str(r.Name), Type: snapshot.UnitRoot})
		queue = append(queue, str(r.Id))
	}
	for len(queue) > 0 {
		parent := queue[0]
		queue = queue[1:]
		ous := organizations.NewListOrganizationalUnitsForParentPaginator(client, &organizations.ListOrganizationalUnitsForParentInput{ParentId: &parent})
		Pages(ctx, s, "ListOrganizationalUnitsForParent", parent, ous.HasMorePages, ous.NextPage, func(o *organizations.ListOrganizationalUnitsForParentOutput) {
			for _, ou := range o.OrganizationalUnits {
				org.Units = append(org.Units, snapshot.OrgUnit{ID: str(ou.Id), ARN: str(ou.Arn), Name: str(ou.Name), Type: snapshot.UnitOU, ParentID: parent})
				queue = append(queue, str(ou.Id))
			}
		})
		accts := organizations.NewListAccountsForParentPaginator(client, &organizations.ListAccountsForParentInput{ParentId: &parent})
		Pages(ctx, s, "ListAccountsForParent", parent, accts.HasMorePages, accts.NextPage, func(o *organizations.ListAccountsForParentOutput) {
			for _, a := range o.Accounts {
				parentOf[str(a.Id)] = parent
			}
		})
	}
	for i := range accounts {
		accounts[i].ParentID = parentOf[accounts[i].ID]
	}

	for _, typ := range []orgtypes.PolicyType{orgtypes.PolicyTypeServiceControlPolicy, orgtypes.PolicyTypeResourceControlPolicy} {
		var summaries []orgtypes.PolicySummary
		lp := organizations.NewListPoliciesPaginator(client, &organizations.ListPoliciesInput{Filter: typ})
		Pages(ctx, s, "ListPolicies", string(typ), lp.HasMorePages, lp.NextPage, func(o *organizations.ListPoliciesOutput) {
			summaries = append(summaries, o.Policies...)
		})
		for _, sum := range summaries {
			if pol, ok := c.orgPolicy(ctx, s, client, sum, snapshot.OrgPolicyType(typ)); ok {
				org.Policies = append(org.Policies, pol)
			}
		}
	}
	sort.Slice(org.Units, func(i, j int) bool { return org.Units[i].ID < org.Units[j].ID })
	sort.Slice(org.Policies, func(i, j int) bool { return org.Policies[i].ID < org.Policies[j].ID })
	return org, accounts, nil
}

func (c *Collector) orgPolicy(ctx context.Context, s *Scope, client orgAPI, sum orgtypes.PolicySummary, typ snapshot.OrgPolicyType) (snapshot.OrgPolicy, bool) {
	id := str(sum.Id)
	d, ok := Call(ctx, s, "DescribePolicy", id, func(ctx context.Context) (*organizations.DescribePolicyOutput, error) {
		return client.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: &id})
	})
	if !ok || d.Policy == nil {
		return snapshot.OrgPolicy{}, false
	}
	doc, err := policydoc.DecodeString(str(d.Policy.Content))
	if err != nil {
		s.Gap("DescribePolicy", id, "MalformedPolicy", fmt.Sprintf("%s %s (%s): %v", typ, str(sum.Name), id, err))
		return snapshot.OrgPolicy{}, false
	}
	pol := snapshot.OrgPolicy{ID: id, ARN: str(sum.Arn), Name: str(sum.Name), Type: typ, AWSManaged: sum.AwsManaged, Document: doc, Targets: []string{}}
	lt := organizations.NewListTargetsForPolicyPaginator(client, &organizations.ListTargetsForPolicyInput{PolicyId: &id})
	Pages(ctx, s, "ListTargetsForPolicy", id, lt.HasMorePages, lt.NextPage, func(o *organizations.ListTargetsForPolicyOutput) {
		for _, t := range o.Targets {
			pol.Targets = append(pol.Targets, str(t.TargetId))
		}
	})
	sort.Strings(pol.Targets)
	return pol, true
}

func accountStatus(a orgtypes.Account) string {
	if a.State != "" {
		return string(a.State)
	}
	return string(a.Status) //nolint:staticcheck // older field, still filled by some emulators
}
