package collector

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/iamreach/iamreach/snapshot"
)

// ecsAPI is what the collector asks ECS.
type ecsAPI interface {
	ListTaskDefinitions(context.Context, *ecs.ListTaskDefinitionsInput, ...func(*ecs.Options)) (*ecs.ListTaskDefinitionsOutput, error)
	DescribeTaskDefinition(context.Context, *ecs.DescribeTaskDefinitionInput, ...func(*ecs.Options)) (*ecs.DescribeTaskDefinitionOutput, error)
}

// ECS task definitions run as their task role; the execution role is what
// ECS itself uses to pull images and read secrets for the task.
func ecsService() Service {
	return Service{Name: "ecs", Collect: collectECS}
}

func collectECS(ctx context.Context, s *Scope) {
	var api ecsAPI = ecs.NewFromConfig(s.Config)
	var arns []string
	p := ecs.NewListTaskDefinitionsPaginator(api, &ecs.ListTaskDefinitionsInput{Status: ecstypes.TaskDefinitionStatusActive})
	Pages(ctx, s, "ListTaskDefinitions", "", p.HasMorePages, p.NextPage, func(o *ecs.ListTaskDefinitionsOutput) { arns = append(arns, o.TaskDefinitionArns...) })
	for _, arn := range arns {
		o, ok := Call(ctx, s, "DescribeTaskDefinition", arn, func(ctx context.Context) (*ecs.DescribeTaskDefinitionOutput, error) {
			return api.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: &arn, Include: []ecstypes.TaskDefinitionField{ecstypes.TaskDefinitionFieldTags}})
		})
		if !ok || o.TaskDefinition == nil {
			continue
		}
		td := o.TaskDefinition
		r := snapshot.Resource{ARN: arn, Type: snapshot.TypeECSTaskDef, Name: lastSegment(arn, '/'), Properties: map[string]string{}}
		if td.TaskRoleArn != nil {
			r.RunsAs = []string{*td.TaskRoleArn}
			r.Properties["taskRole"] = *td.TaskRoleArn
		}
		if td.ExecutionRoleArn != nil {
			r.Properties["executionRole"] = *td.ExecutionRoleArn
			if td.TaskRoleArn == nil || *td.TaskRoleArn != *td.ExecutionRoleArn {
				r.RunsAs = append(r.RunsAs, *td.ExecutionRoleArn)
			}
		}
		for _, t := range o.Tags {
			if r.Tags == nil {
				r.Tags = map[string]string{}
			}
			r.Tags[str(t.Key)] = str(t.Value)
		}
		s.Add(r)
	}
}
