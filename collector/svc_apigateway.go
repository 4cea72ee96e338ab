package collector

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"

	"github.com/iamreach/iamreach/snapshot"
)

// apiGatewayAPI is what the collector asks API Gateway (REST APIs).
type apiGatewayAPI interface {
	GetRestApis(context.Context, *apigateway.GetRestApisInput, ...func(*apigateway.Options)) (*apigateway.GetRestApisOutput, error)
	GetResources(context.Context, *apigateway.GetResourcesInput, ...func(*apigateway.Options)) (*apigateway.GetResourcesOutput, error)
	GetIntegration(context.Context, *apigateway.GetIntegrationInput, ...func(*apigateway.Options)) (*apigateway.GetIntegrationOutput, error)
}

// apiGatewayV2API is what the collector asks API Gateway v2 (HTTP and
// WebSocket APIs).
type apiGatewayV2API interface {
	GetApis(context.Context, *apigatewayv2.GetApisInput, ...func(*apigatewayv2.Options)) (*apigatewayv2.GetApisOutput, error)
	GetIntegrations(context.Context, *apigatewayv2.GetIntegrationsInput, ...func(*apigatewayv2.Options)) (*apigatewayv2.GetIntegrationsOutput, error)
}

// TypeAPIGatewayV2 is an HTTP or WebSocket API. The snapshot schema takes
// any "<service>:<type>"; "api" is the catalogue's resource type name for
// /apis/ID, so actions on the API apply to it in the graph.
const TypeAPIGatewayV2 = "apigateway:api"

// REST APIs carry their resource policy in the list itself; their method
// integrations come with one paged GetResources (embed=methods) per API,
// and GetIntegration is asked only for a method listed without one.
// HTTP and WebSocket APIs: one GetApis per region, one GetIntegrations
// per API. An integration that invokes a Lambda function makes the API an
// event source of that function (joined once the account is read).
func apiGatewayService() Service {
	return Service{Name: "apigateway", Collect: collectAPIGateway}
}

func collectAPIGateway(ctx context.Context, s *Scope) {
	collectRestAPIs(ctx, s)
	collectV2APIs(ctx, s)
}

func collectRestAPIs(ctx context.Context, s *Scope) {
	var api apiGatewayAPI = apigateway.NewFromConfig(s.Config)
	var found []snapshot.Resource
	var ids []string
	p := apigateway.NewGetRestApisPaginator(api, &apigateway.GetRestApisInput{Limit: aws.Int32(500)}) // the largest page API Gateway allows
	Pages(ctx, s, "GetRestApis", "", p.HasMorePages, p.NextPage, func(o *apigateway.GetRestApisOutput) {
		for _, a := range o.Items {
			id := str(a.Id)
			arn := fmt.Sprintf("arn:%s:apigateway:%s::/restapis/%s", s.Partition, s.Region, id)
			r := snapshot.Resource{ARN: arn, Type: snapshot.TypeRestAPI, Name: str(a.Name), Tags: a.Tags,
				Properties: map[string]string{"executeApiArn": fmt.Sprintf("arn:%s:execute-api:%s:%s:%s", s.Partition, s.Region, s.Account, id)}}
			if a.EndpointConfiguration != nil && len(a.EndpointConfiguration.Types) > 0 {
				r.Properties["endpointType"] = string(a.EndpointConfiguration.Types[0])
			}
			r.Policy = resourcePolicy(s, "GetRestApis", arn, unescapeAPIGatewayPolicy(str(a.Policy)))
			if len(r.Tags) == 0 {
				r.Tags = nil
			}
			found = append(found, r)
			ids = append(ids, id)
		}
	})
	for i, r := range found {
		id := ids[i]
		var targets integrationTargets
		type method struct{ resource, verb string }
		var bare []method
		rp := apigateway.NewGetResourcesPaginator(api, &apigateway.GetResourcesInput{RestApiId: &id, Embed: []string{"methods"}, Limit: aws.Int32(500)})
		Pages(ctx, s, "GetResources", r.ARN, rp.HasMorePages, rp.NextPage, func(o *apigateway.GetResourcesOutput) {
			for _, res := range o.Items {
				for verb, m := range res.ResourceMethods {
					if m.MethodIntegration == nil {
						bare = append(bare, method{str(res.Id), verb})
						continue
					}
					targets.add(str(m.MethodIntegration.Uri))
				}
			}
		})
		sort.Slice(bare, func(i, j int) bool { return bare[i].resource+bare[i].verb < bare[j].resource+bare[j].verb })
		for _, m := range bare {
			// A method may have no integration yet (NotFoundException).
			if o, ok := Call(ctx, s, "GetIntegration", r.ARN+"/resources/"+m.resource+"/methods/"+m.verb, func(ctx context.Context) (*apigateway.GetIntegrationOutput, error) {
				return api.GetIntegration(ctx, &apigateway.GetIntegrationInput{RestApiId: &id, ResourceId: &m.resource, HttpMethod: &m.verb})
			}, "NotFoundException"); ok {
				targets.add(str(o.Uri))
			}
		}
		targets.record(s, &found[i])
		s.Add(found[i])
	}
}

func collectV2APIs(ctx context.Context, s *Scope) {
	var api apiGatewayV2API = apigatewayv2.NewFromConfig(s.Config)
	var found []snapshot.Resource
	var ids []string
	p := &tokenPager[*apigatewayv2.GetApisOutput, apigatewayv2.Options]{next: func(ctx context.Context, token *string, opts ...func(*apigatewayv2.Options)) (*apigatewayv2.GetApisOutput, *string, error) {
		o, err := api.GetApis(ctx, &apigatewayv2.GetApisInput{NextToken: token}, opts...)
		if err != nil {
			return nil, nil, err
		}
		return o, o.NextToken, nil
	}}
	Pages(ctx, s, "GetApis", "", p.HasMorePages, p.NextPage, func(o *apigatewayv2.GetApisOutput) {
		for _, a := range o.Items {
			id := str(a.ApiId)
			r := snapshot.Resource{ARN: fmt.Sprintf("arn:%s:apigateway:%s::/apis/%s", s.Partition, s.Region, id), Type: TypeAPIGatewayV2, Name: str(a.Name), Tags: a.Tags,
				Properties: map[string]string{
					"executeApiArn": fmt.Sprintf("arn:%s:execute-api:%s:%s:%s", s.Partition, s.Region, s.Account, id),
					"protocolType":  string(a.ProtocolType),
				}}
			if a.ApiEndpoint != nil {
				r.Properties["apiEndpoint"] = *a.ApiEndpoint
			}
			if a.DisableExecuteApiEndpoint != nil && *a.DisableExecuteApiEndpoint {
				r.Properties["executeApiEndpointDisabled"] = "true"
			}
			if len(r.Tags) == 0 {
				r.Tags = nil
			}
			found = append(found, r)
			ids = append(ids, id)
		}
	})
	for i, r := range found {
		id := ids[i]
		var targets integrationTargets
		ip := &tokenPager[*apigatewayv2.GetIntegrationsOutput, apigatewayv2.Options]{next: func(ctx context.Context, token *string, opts ...func(*apigatewayv2.Options)) (*apigatewayv2.GetIntegrationsOutput, *string, error) {
			o, err := api.GetIntegrations(ctx, &apigatewayv2.GetIntegrationsInput{ApiId: &id, NextToken: token}, opts...)
			if err != nil {
				return nil, nil, err
			}
			return o, o.NextToken, nil
		}}
		Pages(ctx, s, "GetIntegrations", r.ARN, ip.HasMorePages, ip.NextPage, func(o *apigatewayv2.GetIntegrationsOutput) {
			for _, in := range o.Items {
				targets.add(str(in.IntegrationUri))
			}
		})
		targets.record(s, &found[i])
		s.Add(found[i])
	}
}

// integrationTargets gathers the functions an API's integrations invoke,
// and the Lambda integrations whose function is chosen at run time (a
// stage variable), which cannot be resolved from the configuration.
type integrationTargets struct {
	functions  []string
	unresolved []string
}

func (t *integrationTargets) add(uri string) {
	fn, ok := lambdaFunctionOfIntegration(uri)
	switch {
	case !ok:
	case strings.Contains(fn, "${"):
		if !contains(t.unresolved, uri) {
			t.unresolved = append(t.unresolved, uri)
		}
	case !contains(t.functions, fn):
		t.functions = append(t.functions, fn)
	}
}

// record links the API to each function as an event source and notes on
// the API what could not be resolved.
func (t *integrationTargets) record(s *Scope, r *snapshot.Resource) {
	sort.Strings(t.functions)
	for _, fn := range t.functions {
		s.Link(fn, r.ARN)
	}
	if len(t.functions) > 0 {
		r.Properties["lambdaIntegrations"] = strings.Join(t.functions, ",")
	}
	if len(t.unresolved) > 0 {
		sort.Strings(t.unresolved)
		r.Properties["unresolvedLambdaIntegrations"] = strings.Join(t.unresolved, ",")
	}
}

// lambdaFunctionOfIntegration returns the unqualified function ARN an
// integration URI invokes: the API Gateway service-path form
// (arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/FUNCTION_ARN/invocations,
// REST and HTTP APIs) or a bare function ARN (HTTP API proxy
// integrations), with or without an alias or version. ok is false for
// anything else (HTTP back ends, other AWS services, VPC links).
func lambdaFunctionOfIntegration(uri string) (fn string, ok bool) {
	if !strings.HasPrefix(uri, "arn:") {
		return "", false
	}
	if i := strings.Index(uri, ":lambda:path/"); i > 0 && strings.Contains(uri[:i], ":apigateway:") {
		rest := uri[i+len(":lambda:path/"):]
		j := strings.Index(rest, "/functions/")
		if j < 0 {
			return "", false
		}
		uri = strings.TrimSuffix(rest[j+len("/functions/"):], "/invocations")
	}
	parts := strings.Split(uri, ":")
	if len(parts) < 7 || parts[0] != "arn" || parts[2] != "lambda" || parts[5] != "function" || parts[6] == "" {
		return "", false
	}
	return unqualified(uri), true
}

// tokenPager pages a list that has a NextToken but no SDK paginator
// (API Gateway v2). It stops on an empty token or one repeated.
type tokenPager[T, O any] struct {
	next    func(ctx context.Context, token *string, opts ...func(*O)) (T, *string, error)
	token   *string
	started bool
}

func (p *tokenPager[T, O]) HasMorePages() bool {
	return !p.started || p.token != nil && *p.token != ""
}

func (p *tokenPager[T, O]) NextPage(ctx context.Context, opts ...func(*O)) (T, error) {
	out, token, err := p.next(ctx, p.token, opts...)
	if err != nil {
		var zero T
		return zero, err
	}
	if p.started && token != nil && p.token != nil && *token == *p.token {
		token = nil // a service that repeats its token would loop forever
	}
	p.started, p.token = true, token
	return out, nil
}

// API Gateway returns the policy JSON with its quotes backslash-escaped.
func unescapeAPIGatewayPolicy(p string) string {
	if !strings.Contains(p, `\"`) {
		return p
	}
	var out string
	if json.Unmarshal([]byte(`"`+p+`"`), &out) == nil {
		return out
	}
	return p
}
