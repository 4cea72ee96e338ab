package collector

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/iamreach/iamreach/collector/gaad"
	"github.com/iamreach/iamreach/snapshot"
)

// iamAPI is what the collector asks IAM.
type iamAPI interface {
	GetAccountAuthorizationDetails(context.Context, *iam.GetAccountAuthorizationDetailsInput, ...func(*iam.Options)) (*iam.GetAccountAuthorizationDetailsOutput, error)
	ListOpenIDConnectProviders(context.Context, *iam.ListOpenIDConnectProvidersInput, ...func(*iam.Options)) (*iam.ListOpenIDConnectProvidersOutput, error)
	GetOpenIDConnectProvider(context.Context, *iam.GetOpenIDConnectProviderInput, ...func(*iam.Options)) (*iam.GetOpenIDConnectProviderOutput, error)
	ListSAMLProviders(context.Context, *iam.ListSAMLProvidersInput, ...func(*iam.Options)) (*iam.ListSAMLProvidersOutput, error)
}

func iamService() Service {
	return Service{Name: "iam", Global: true, Collect: collectIAM}
}

func collectIAM(ctx context.Context, s *Scope) {
	var client iamAPI = iam.NewFromConfig(s.Config)
	const op = "GetAccountAuthorizationDetails"
	d := &gaad.Details{}
	p := iam.NewGetAccountAuthorizationDetailsPaginator(client, &iam.GetAccountAuthorizationDetailsInput{MaxItems: aws.Int32(1000)}) // the largest page IAM allows
	complete := Pages(ctx, s, op, "", p.HasMorePages, p.NextPage, func(o *iam.GetAccountAuthorizationDetailsOutput) {
		for _, u := range o.UserDetailList {
			d.Users = append(d.Users, gaad.UserDetail{Path: str(u.Path), UserName: str(u.UserName), UserId: str(u.UserId), Arn: str(u.Arn),
				UserPolicyList: inlineOf(u.UserPolicyList), GroupList: u.GroupList, AttachedManagedPolicies: attachedOf(u.AttachedManagedPolicies),
				PermissionsBoundary: boundaryOf(u.PermissionsBoundary), Tags: tagsOf(u.Tags)})
		}
		for _, g := range o.GroupDetailList {
			d.Groups = append(d.Groups, gaad.GroupDetail{Path: str(g.Path), GroupName: str(g.GroupName), GroupId: str(g.GroupId), Arn: str(g.Arn),
				GroupPolicyList: inlineOf(g.GroupPolicyList), AttachedManagedPolicies: attachedOf(g.AttachedManagedPolicies)})
		}
		for _, r := range o.RoleDetailList {
			rd := gaad.RoleDetail{Path: str(r.Path), RoleName: str(r.RoleName), RoleId: str(r.RoleId), Arn: str(r.Arn),
				AssumeRolePolicyDocument: rawString(r.AssumeRolePolicyDocument), RolePolicyList: inlineOf(r.RolePolicyList),
				AttachedManagedPolicies: attachedOf(r.AttachedManagedPolicies), PermissionsBoundary: boundaryOf(r.PermissionsBoundary), Tags: tagsOf(r.Tags)}
			for _, ip := range r.InstanceProfileList {
				rd.InstanceProfileList = append(rd.InstanceProfileList, gaad.InstanceProfile{InstanceProfileName: str(ip.InstanceProfileName), Arn: str(ip.Arn), Path: str(ip.Path)})
			}
			if r.RoleLastUsed != nil && r.RoleLastUsed.LastUsedDate != nil {
				rd.RoleLastUsed = &gaad.RoleLastUsed{LastUsedDate: r.RoleLastUsed.LastUsedDate.UTC().Format("2006-01-02T15:04:05Z07:00"), Region: str(r.RoleLastUsed.Region)}
			}
			d.Roles = append(d.Roles, rd)
		}
		for _, m := range o.Policies {
			mp := gaad.ManagedPolicyDetail{PolicyName: str(m.PolicyName), PolicyId: str(m.PolicyId), Arn: str(m.Arn), Path: str(m.Path), DefaultVersionId: str(m.DefaultVersionId)}
			for _, v := range m.PolicyVersionList {
				mp.PolicyVersionList = append(mp.PolicyVersionList, gaad.PolicyVersion{Document: rawString(v.Document), VersionId: str(v.VersionId), IsDefaultVersion: v.IsDefaultVersion})
			}
			d.Policies = append(d.Policies, mp)
		}
	})
	if complete || len(d.Users)+len(d.Groups)+len(d.Roles)+len(d.Policies) > 0 {
		acct, gaps, err := gaad.Convert(op, s.Account, d)
		if err != nil {
			s.Gap(op, "", "Error", err.Error())
		} else {
			for _, g := range gaps {
				s.Gap(op, g.Resource, g.Code, g.Error)
			}
			s.Update(func(a *snapshot.Account) {
				a.Users, a.Groups, a.Roles = acct.Users, acct.Groups, acct.Roles
				a.Policies = acct.Policies
			})
		}
	}
	collectProviders(ctx, s, client)
	if s.c.opts.LastAccessed {
		collectLastAccessed(ctx, s, iam.NewFromConfig(s.Config))
	}
}

func collectProviders(ctx context.Context, s *Scope, client iamAPI) {
	var providers []snapshot.IdentityProvider
	if o, ok := Call(ctx, s, "ListOpenIDConnectProviders", "", func(ctx context.Context) (*iam.ListOpenIDConnectProvidersOutput, error) {
		return client.ListOpenIDConnectProviders(ctx, &iam.ListOpenIDConnectProvidersInput{})
	}); ok {
		for _, e := range o.OpenIDConnectProviderList {
			arn := str(e.Arn)
			p := snapshot.IdentityProvider{ARN: arn, Type: snapshot.ProviderOIDC}
			if d, ok := Call(ctx, s, "GetOpenIDConnectProvider", arn, func(ctx context.Context) (*iam.GetOpenIDConnectProviderOutput, error) {
				return client.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: &arn})
			}); ok {
				p.URL, p.ClientIDs = str(d.Url), d.ClientIDList
			}
			providers = append(providers, p)
		}
	}
	if o, ok := Call(ctx, s, "ListSAMLProviders", "", func(ctx context.Context) (*iam.ListSAMLProvidersOutput, error) {
		return client.ListSAMLProviders(ctx, &iam.ListSAMLProvidersInput{})
	}); ok {
		for _, e := range o.SAMLProviderList {
			providers = append(providers, snapshot.IdentityProvider{ARN: str(e.Arn), Type: snapshot.ProviderSAML})
		}
	}
	s.Update(func(a *snapshot.Account) { a.IdentityProviders = append(a.IdentityProviders, providers...) })
}

// rawString makes an API document (a URL-encoded string) a JSON string for gaad.
func rawString(p *string) json.RawMessage {
	if p == nil {
		return nil
	}
	b, _ := json.Marshal(*p)
	return b
}

func inlineOf(list []iamtypes.PolicyDetail) []gaad.PolicyDetail {
	var out []gaad.PolicyDetail
	for _, p := range list {
		out = append(out, gaad.PolicyDetail{PolicyName: str(p.PolicyName), PolicyDocument: rawString(p.PolicyDocument)})
	}
	return out
}

func attachedOf(list []iamtypes.AttachedPolicy) []gaad.AttachedPolicy {
	var out []gaad.AttachedPolicy
	for _, p := range list {
		out = append(out, gaad.AttachedPolicy{PolicyName: str(p.PolicyName), PolicyArn: str(p.PolicyArn)})
	}
	return out
}

func boundaryOf(b *iamtypes.AttachedPermissionsBoundary) *gaad.Boundary {
	if b == nil || b.PermissionsBoundaryArn == nil {
		return nil
	}
	return &gaad.Boundary{PermissionsBoundaryType: string(b.PermissionsBoundaryType), PermissionsBoundaryArn: str(b.PermissionsBoundaryArn)}
}

func tagsOf(list []iamtypes.Tag) []gaad.Tag {
	var out []gaad.Tag
	for _, t := range list {
		out = append(out, gaad.Tag{Key: str(t.Key), Value: str(t.Value)})
	}
	return out
}
