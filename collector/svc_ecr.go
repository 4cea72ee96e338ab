package collector

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"

	"github.com/iamreach/iamreach/snapshot"
)

// ecrAPI is what the collector asks ECR.
type ecrAPI interface {
	DescribeRepositories(context.Context, *ecr.DescribeRepositoriesInput, ...func(*ecr.Options)) (*ecr.DescribeRepositoriesOutput, error)
	GetRepositoryPolicy(context.Context, *ecr.GetRepositoryPolicyInput, ...func(*ecr.Options)) (*ecr.GetRepositoryPolicyOutput, error)
}

func ecrService() Service {
	return Service{Name: "ecr", Collect: collectECR}
}

func collectECR(ctx context.Context, s *Scope) {
	var api ecrAPI = ecr.NewFromConfig(s.Config)
	var list []snapshot.Resource
	p := ecr.NewDescribeRepositoriesPaginator(api, &ecr.DescribeRepositoriesInput{MaxResults: aws.Int32(1000)})
	Pages(ctx, s, "DescribeRepositories", "", p.HasMorePages, p.NextPage, func(o *ecr.DescribeRepositoriesOutput) {
		for _, r := range o.Repositories {
			list = append(list, snapshot.Resource{ARN: str(r.RepositoryArn), Type: snapshot.TypeECRRepository, Name: str(r.RepositoryName)})
		}
	})
	for _, r := range list {
		name := r.Name
		if o, ok := Call(ctx, s, "GetRepositoryPolicy", r.ARN, func(ctx context.Context) (*ecr.GetRepositoryPolicyOutput, error) {
			return api.GetRepositoryPolicy(ctx, &ecr.GetRepositoryPolicyInput{RepositoryName: &name})
		}, "RepositoryPolicyNotFoundException"); ok {
			r.Policy = resourcePolicy(s, "GetRepositoryPolicy", r.ARN, str(o.PolicyText))
		}
		s.Add(r)
	}
}
