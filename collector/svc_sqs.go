package collector

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/iamreach/iamreach/snapshot"
)

// sqsAPI is what the collector asks SQS.
type sqsAPI interface {
	ListQueues(context.Context, *sqs.ListQueuesInput, ...func(*sqs.Options)) (*sqs.ListQueuesOutput, error)
	GetQueueAttributes(context.Context, *sqs.GetQueueAttributesInput, ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error)
	ListQueueTags(context.Context, *sqs.ListQueueTagsInput, ...func(*sqs.Options)) (*sqs.ListQueueTagsOutput, error)
}

func sqsService() Service {
	return Service{Name: "sqs", Collect: collectSQS}
}

func collectSQS(ctx context.Context, s *Scope) {
	var api sqsAPI = sqs.NewFromConfig(s.Config)
	var urls []string
	p := sqs.NewListQueuesPaginator(api, &sqs.ListQueuesInput{})
	Pages(ctx, s, "ListQueues", "", p.HasMorePages, p.NextPage, func(o *sqs.ListQueuesOutput) { urls = append(urls, o.QueueUrls...) })
	for _, url := range urls {
		a, ok := Call(ctx, s, "GetQueueAttributes", url, func(ctx context.Context) (*sqs.GetQueueAttributesOutput, error) {
			return api.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: &url,
				AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn, sqstypes.QueueAttributeNamePolicy, sqstypes.QueueAttributeNameKmsMasterKeyId}})
		}, "AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist")
		if !ok {
			continue
		}
		arn := a.Attributes["QueueArn"]
		if arn == "" {
			s.Gap("GetQueueAttributes", url, "Missing", "queue "+url+" has no QueueArn attribute; left out")
			continue
		}
		r := snapshot.Resource{ARN: arn, Type: snapshot.TypeSQSQueue, Name: lastSegment(url, '/'),
			Policy: resourcePolicy(s, "GetQueueAttributes", arn, a.Attributes["Policy"])}
		if k := a.Attributes["KmsMasterKeyId"]; k != "" {
			r.Properties = map[string]string{"kmsKeyId": k}
		}
		if t, ok := Call(ctx, s, "ListQueueTags", arn, func(ctx context.Context) (*sqs.ListQueueTagsOutput, error) {
			return api.ListQueueTags(ctx, &sqs.ListQueueTagsInput{QueueUrl: &url})
		}); ok && len(t.Tags) > 0 {
			r.Tags = t.Tags
		}
		s.Add(r)
	}
}

func lastSegment(s string, sep byte) string {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == sep {
			return s[i+1:]
		}
	}
	return s
}
