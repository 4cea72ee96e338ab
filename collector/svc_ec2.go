package collector

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/iamreach/iamreach/snapshot"
)

// ec2API is what the collector asks EC2 about instances.
type ec2API interface {
	DescribeInstances(context.Context, *ec2.DescribeInstancesInput, ...func(*ec2.Options)) (*ec2.DescribeInstancesOutput, error)
}

// EC2 instances run as the roles of their instance profile; the profile is
// resolved to roles from IAM after the account is collected.
func ec2Service() Service {
	return Service{Name: "ec2", Collect: collectEC2}
}

func collectEC2(ctx context.Context, s *Scope) {
	var api ec2API = ec2.NewFromConfig(s.Config)
	p := ec2.NewDescribeInstancesPaginator(api, &ec2.DescribeInstancesInput{})
	Pages(ctx, s, "DescribeInstances", "", p.HasMorePages, p.NextPage, func(o *ec2.DescribeInstancesOutput) {
		for _, res := range o.Reservations {
			for _, in := range res.Instances {
				id := str(in.InstanceId)
				r := snapshot.Resource{ARN: fmt.Sprintf("arn:%s:ec2:%s:%s:instance/%s", s.Partition, s.Region, s.Account, id),
					Type: snapshot.TypeEC2Instance, Name: id, Properties: map[string]string{}}
				if in.State != nil {
					r.Properties["state"] = string(in.State.Name)
				}
				if in.IamInstanceProfile != nil && in.IamInstanceProfile.Arn != nil {
					r.Properties["instanceProfile"] = *in.IamInstanceProfile.Arn
				}
				for _, t := range in.Tags {
					if r.Tags == nil {
						r.Tags = map[string]string{}
					}
					r.Tags[str(t.Key)] = str(t.Value)
					if str(t.Key) == "Name" {
						r.Name = str(t.Value)
					}
				}
				s.Add(r)
			}
		}
	})
}
