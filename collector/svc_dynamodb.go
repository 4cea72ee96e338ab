package collector

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/iamreach/iamreach/snapshot"
)

// dynamoDBAPI is what the collector asks DynamoDB.
type dynamoDBAPI interface {
	ListTables(context.Context, *dynamodb.ListTablesInput, ...func(*dynamodb.Options)) (*dynamodb.ListTablesOutput, error)
	GetResourcePolicy(context.Context, *dynamodb.GetResourcePolicyInput, ...func(*dynamodb.Options)) (*dynamodb.GetResourcePolicyOutput, error)
	ListTagsOfResource(context.Context, *dynamodb.ListTagsOfResourceInput, ...func(*dynamodb.Options)) (*dynamodb.ListTagsOfResourceOutput, error)
}

func dynamoDBService() Service {
	return Service{Name: "dynamodb", Collect: collectDynamoDB}
}

func collectDynamoDB(ctx context.Context, s *Scope) {
	var api dynamoDBAPI = dynamodb.NewFromConfig(s.Config)
	var names []string
	p := dynamodb.NewListTablesPaginator(api, &dynamodb.ListTablesInput{})
	Pages(ctx, s, "ListTables", "", p.HasMorePages, p.NextPage, func(o *dynamodb.ListTablesOutput) { names = append(names, o.TableNames...) })
	for _, name := range names {
		// The ARN is fixed by name, account and region: no DescribeTable needed.
		arn := fmt.Sprintf("arn:%s:dynamodb:%s:%s:table/%s", s.Partition, s.Region, s.Account, name)
		r := snapshot.Resource{ARN: arn, Type: snapshot.TypeDynamoDBTable, Name: name}
		if o, ok := Call(ctx, s, "GetResourcePolicy", arn, func(ctx context.Context) (*dynamodb.GetResourcePolicyOutput, error) {
			return api.GetResourcePolicy(ctx, &dynamodb.GetResourcePolicyInput{ResourceArn: &arn})
		}, "PolicyNotFoundException"); ok {
			r.Policy = resourcePolicy(s, "GetResourcePolicy", arn, str(o.Policy))
		}
		// The SDK has no paginator for ListTagsOfResource.
		for token, first := (*string)(nil), true; first || token != nil; first = false {
			o, ok := Call(ctx, s, "ListTagsOfResource", arn, func(ctx context.Context) (*dynamodb.ListTagsOfResourceOutput, error) {
				return api.ListTagsOfResource(ctx, &dynamodb.ListTagsOfResourceInput{ResourceArn: &arn, NextToken: token})
			})
			if !ok {
				break
			}
			for _, t := range o.Tags {
				if r.Tags == nil {
					r.Tags = map[string]string{}
				}
				r.Tags[str(t.Key)] = str(t.Value)
			}
			token = o.NextToken
		}
		s.Add(r)
	}
}
