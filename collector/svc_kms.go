package collector

import (
	"context"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/iamreach/iamreach/snapshot"
)

// kmsAPI is what the collector asks KMS.
type kmsAPI interface {
	ListKeys(context.Context, *kms.ListKeysInput, ...func(*kms.Options)) (*kms.ListKeysOutput, error)
	ListAliases(context.Context, *kms.ListAliasesInput, ...func(*kms.Options)) (*kms.ListAliasesOutput, error)
	DescribeKey(context.Context, *kms.DescribeKeyInput, ...func(*kms.Options)) (*kms.DescribeKeyOutput, error)
	GetKeyPolicy(context.Context, *kms.GetKeyPolicyInput, ...func(*kms.Options)) (*kms.GetKeyPolicyOutput, error)
	ListResourceTags(context.Context, *kms.ListResourceTagsInput, ...func(*kms.Options)) (*kms.ListResourceTagsOutput, error)
}

func kmsService() Service {
	return Service{Name: "kms", Collect: collectKMS}
}

func collectKMS(ctx context.Context, s *Scope) {
	var api kmsAPI = kms.NewFromConfig(s.Config)
	aliases := map[string][]string{} // key ID → alias names
	ap := kms.NewListAliasesPaginator(api, &kms.ListAliasesInput{})
	Pages(ctx, s, "ListAliases", "", ap.HasMorePages, ap.NextPage, func(o *kms.ListAliasesOutput) {
		for _, a := range o.Aliases {
			if a.TargetKeyId != nil {
				aliases[*a.TargetKeyId] = append(aliases[*a.TargetKeyId], str(a.AliasName))
			}
		}
	})
	var keys []kmstypes.KeyListEntry
	kp := kms.NewListKeysPaginator(api, &kms.ListKeysInput{Limit: aws.Int32(1000)})
	Pages(ctx, s, "ListKeys", "", kp.HasMorePages, kp.NextPage, func(o *kms.ListKeysOutput) { keys = append(keys, o.Keys...) })
	for _, k := range keys {
		id, arn := str(k.KeyId), str(k.KeyArn)
		r := snapshot.Resource{ARN: arn, Type: snapshot.TypeKMSKey, Name: id, Properties: map[string]string{}}
		if al := aliases[id]; len(al) > 0 {
			sort.Strings(al)
			r.Properties["aliases"] = strings.Join(al, ",")
			r.Name = strings.TrimPrefix(al[0], "alias/") // what people call the key
		}
		r.Properties["keyId"] = id
		customer := true
		if d, ok := Call(ctx, s, "DescribeKey", arn, func(ctx context.Context) (*kms.DescribeKeyOutput, error) {
			return api.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: &id})
		}); ok && d.KeyMetadata != nil {
			r.Properties["keyManager"] = string(d.KeyMetadata.KeyManager)
			r.Properties["keyState"] = string(d.KeyMetadata.KeyState)
			customer = d.KeyMetadata.KeyManager != kmstypes.KeyManagerTypeAws
		}
		if o, ok := Call(ctx, s, "GetKeyPolicy", arn, func(ctx context.Context) (*kms.GetKeyPolicyOutput, error) {
			return api.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: &id, PolicyName: strPtr("default")})
		}); ok {
			r.Policy = resourcePolicy(s, "GetKeyPolicy", arn, str(o.Policy))
		}
		if customer {
			tp := kms.NewListResourceTagsPaginator(api, &kms.ListResourceTagsInput{KeyId: &id})
			Pages(ctx, s, "ListResourceTags", arn, tp.HasMorePages, tp.NextPage, func(o *kms.ListResourceTagsOutput) {
				for _, t := range o.Tags {
					if r.Tags == nil {
						r.Tags = map[string]string{}
					}
					r.Tags[str(t.TagKey)] = str(t.TagValue)
				}
			})
		}
		s.Add(r)
	}
}

func strPtr(s string) *string { return &s }
