package collector

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/apigateway"

	"github.com/iamreach/iamreach/snapshot"
)

// apiGatewayAPI is what the collector asks API Gateway (REST APIs).
type apiGatewayAPI interface {
	GetRestApis(context.Context, *apigateway.GetRestApisInput, ...func(*apigateway.Options)) (*apigateway.GetRestApisOutput, error)
}

// REST APIs carry their resource policy in the list itself: one call per
// page, none per API.
func apiGatewayService() Service {
	return Service{Name: "apigateway", Collect: collectAPIGateway}
}

func collectAPIGateway(ctx context.Context, s *Scope) {
	var api apiGatewayAPI = apigateway.NewFromConfig(s.Config)
	p := apigateway.NewGetRestApisPaginator(api, &apigateway.GetRestApisInput{})
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
			s.Add(r)
		}
	})
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
