package collector

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/iamreach/iamreach/snapshot"
)

// secretsAPI is what the collector asks Secrets Manager.
type secretsAPI interface {
	ListSecrets(context.Context, *secretsmanager.ListSecretsInput, ...func(*secretsmanager.Options)) (*secretsmanager.ListSecretsOutput, error)
	GetResourcePolicy(context.Context, *secretsmanager.GetResourcePolicyInput, ...func(*secretsmanager.Options)) (*secretsmanager.GetResourcePolicyOutput, error)
}

func secretsManagerService() Service {
	return Service{Name: "secretsmanager", Collect: collectSecrets}
}

func collectSecrets(ctx context.Context, s *Scope) {
	var api secretsAPI = secretsmanager.NewFromConfig(s.Config)
	p := secretsmanager.NewListSecretsPaginator(api, &secretsmanager.ListSecretsInput{})
	var list []snapshot.Resource
	Pages(ctx, s, "ListSecrets", "", p.HasMorePages, p.NextPage, func(o *secretsmanager.ListSecretsOutput) {
		for _, e := range o.SecretList {
			r := snapshot.Resource{ARN: str(e.ARN), Type: snapshot.TypeSecret, Name: str(e.Name)}
			for _, t := range e.Tags {
				if r.Tags == nil {
					r.Tags = map[string]string{}
				}
				r.Tags[str(t.Key)] = str(t.Value)
			}
			if e.KmsKeyId != nil {
				r.Properties = map[string]string{"kmsKeyId": *e.KmsKeyId}
			}
			list = append(list, r)
		}
	})
	for _, r := range list {
		arn := r.ARN
		if o, ok := Call(ctx, s, "GetResourcePolicy", arn, func(ctx context.Context) (*secretsmanager.GetResourcePolicyOutput, error) {
			return api.GetResourcePolicy(ctx, &secretsmanager.GetResourcePolicyInput{SecretId: &arn})
		}, "ResourceNotFoundException"); ok {
			r.Policy = resourcePolicy(s, "GetResourcePolicy", arn, str(o.ResourcePolicy))
		}
		s.Add(r)
	}
}
