package collector

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/iamreach/iamreach/snapshot"
)

// lambdaAPI is what the collector asks Lambda.
type lambdaAPI interface {
	ListFunctions(context.Context, *lambda.ListFunctionsInput, ...func(*lambda.Options)) (*lambda.ListFunctionsOutput, error)
	ListEventSourceMappings(context.Context, *lambda.ListEventSourceMappingsInput, ...func(*lambda.Options)) (*lambda.ListEventSourceMappingsOutput, error)
	GetPolicy(context.Context, *lambda.GetPolicyInput, ...func(*lambda.Options)) (*lambda.GetPolicyOutput, error)
	GetFunctionUrlConfig(context.Context, *lambda.GetFunctionUrlConfigInput, ...func(*lambda.Options)) (*lambda.GetFunctionUrlConfigOutput, error)
	ListTags(context.Context, *lambda.ListTagsInput, ...func(*lambda.Options)) (*lambda.ListTagsOutput, error)
}

func lambdaService() Service {
	return Service{Name: "lambda", Collect: collectLambda}
}

func collectLambda(ctx context.Context, s *Scope) {
	var api lambdaAPI = lambda.NewFromConfig(s.Config)
	var fns []lambdatypes.FunctionConfiguration
	p := lambda.NewListFunctionsPaginator(api, &lambda.ListFunctionsInput{})
	Pages(ctx, s, "ListFunctions", "", p.HasMorePages, p.NextPage, func(o *lambda.ListFunctionsOutput) { fns = append(fns, o.Functions...) })
	if len(fns) == 0 {
		return
	}
	sources := map[string][]string{} // function ARN (unqualified) → event source ARNs
	ep := lambda.NewListEventSourceMappingsPaginator(api, &lambda.ListEventSourceMappingsInput{})
	Pages(ctx, s, "ListEventSourceMappings", "", ep.HasMorePages, ep.NextPage, func(o *lambda.ListEventSourceMappingsOutput) {
		for _, m := range o.EventSourceMappings {
			if m.EventSourceArn != nil && m.FunctionArn != nil {
				fn := unqualified(*m.FunctionArn)
				sources[fn] = append(sources[fn], *m.EventSourceArn)
			}
		}
	})
	for _, f := range fns {
		arn, name := str(f.FunctionArn), str(f.FunctionName)
		r := snapshot.Resource{ARN: arn, Type: snapshot.TypeLambdaFunction, Name: name, EventSources: sources[arn], Properties: map[string]string{}}
		if f.Role != nil {
			r.RunsAs = []string{*f.Role}
		}
		if f.Runtime != "" {
			r.Properties["runtime"] = string(f.Runtime)
		}
		if o, ok := Call(ctx, s, "GetPolicy", arn, func(ctx context.Context) (*lambda.GetPolicyOutput, error) {
			return api.GetPolicy(ctx, &lambda.GetPolicyInput{FunctionName: &arn})
		}, "ResourceNotFoundException"); ok {
			r.Policy = resourcePolicy(s, "GetPolicy", arn, str(o.Policy))
		}
		if o, ok := Call(ctx, s, "GetFunctionUrlConfig", arn, func(ctx context.Context) (*lambda.GetFunctionUrlConfigOutput, error) {
			return api.GetFunctionUrlConfig(ctx, &lambda.GetFunctionUrlConfigInput{FunctionName: &arn})
		}, "ResourceNotFoundException"); ok {
			r.Properties["functionUrlAuthType"] = string(o.AuthType)
			r.Properties["functionUrl"] = str(o.FunctionUrl)
		}
		if o, ok := Call(ctx, s, "ListTags", arn, func(ctx context.Context) (*lambda.ListTagsOutput, error) {
			return api.ListTags(ctx, &lambda.ListTagsInput{Resource: &arn})
		}); ok && len(o.Tags) > 0 {
			r.Tags = o.Tags
		}
		s.Add(r)
	}
}

// unqualified drops a version or alias from a function ARN.
func unqualified(arn string) string {
	parts := strings.Split(arn, ":")
	if len(parts) > 7 {
		return strings.Join(parts[:7], ":")
	}
	return arn
}
