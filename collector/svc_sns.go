package collector

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/iamreach/iamreach/snapshot"
)

// snsAPI is what the collector asks SNS.
type snsAPI interface {
	ListTopics(context.Context, *sns.ListTopicsInput, ...func(*sns.Options)) (*sns.ListTopicsOutput, error)
	GetTopicAttributes(context.Context, *sns.GetTopicAttributesInput, ...func(*sns.Options)) (*sns.GetTopicAttributesOutput, error)
	ListTagsForResource(context.Context, *sns.ListTagsForResourceInput, ...func(*sns.Options)) (*sns.ListTagsForResourceOutput, error)
	ListSubscriptions(context.Context, *sns.ListSubscriptionsInput, ...func(*sns.Options)) (*sns.ListSubscriptionsOutput, error)
}

func snsService() Service {
	return Service{Name: "sns", Collect: collectSNS}
}

func collectSNS(ctx context.Context, s *Scope) {
	var api snsAPI = sns.NewFromConfig(s.Config)
	var arns []string
	p := sns.NewListTopicsPaginator(api, &sns.ListTopicsInput{})
	listed := Pages(ctx, s, "ListTopics", "", p.HasMorePages, p.NextPage, func(o *sns.ListTopicsOutput) {
		for _, t := range o.Topics {
			arns = append(arns, str(t.TopicArn))
		}
	})
	for _, arn := range arns {
		r := snapshot.Resource{ARN: arn, Type: snapshot.TypeSNSTopic, Name: lastSegment(arn, ':')}
		if a, ok := Call(ctx, s, "GetTopicAttributes", arn, func(ctx context.Context) (*sns.GetTopicAttributesOutput, error) {
			return api.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: &arn})
		}, "NotFound", "NotFoundException"); ok {
			r.Policy = resourcePolicy(s, "GetTopicAttributes", arn, a.Attributes["Policy"])
			if k := a.Attributes["KmsMasterKeyId"]; k != "" {
				r.Properties = map[string]string{"kmsKeyId": k}
			}
		}
		if t, ok := Call(ctx, s, "ListTagsForResource", arn, func(ctx context.Context) (*sns.ListTagsForResourceOutput, error) {
			return api.ListTagsForResource(ctx, &sns.ListTagsForResourceInput{ResourceArn: &arn})
		}); ok {
			for _, tag := range t.Tags {
				if r.Tags == nil {
					r.Tags = map[string]string{}
				}
				r.Tags[str(tag.Key)] = str(tag.Value)
			}
		}
		s.Add(r)
	}
	if listed && len(arns) == 0 {
		return // no topic, so no subscription
	}
	// Subscriptions make the topic an event source of the queue or
	// function that receives it (one listing per region).
	sp := sns.NewListSubscriptionsPaginator(api, &sns.ListSubscriptionsInput{})
	Pages(ctx, s, "ListSubscriptions", "", sp.HasMorePages, sp.NextPage, func(o *sns.ListSubscriptionsOutput) {
		for _, sub := range o.Subscriptions {
			switch str(sub.Protocol) {
			case "lambda":
				s.Link(unqualified(str(sub.Endpoint)), str(sub.TopicArn))
			case "sqs":
				s.Link(str(sub.Endpoint), str(sub.TopicArn))
			}
		}
	})
}
