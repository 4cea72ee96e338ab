package collector

import (
	"context"
	"fmt"
	"net/url"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	s3ctltypes "github.com/aws/aws-sdk-go-v2/service/s3control/types"
	smithyendpoints "github.com/aws/smithy-go/endpoints"

	"github.com/iamreach/iamreach/collector/policydoc"
	"github.com/iamreach/iamreach/snapshot"
)

// s3API is what the collector asks S3 about buckets.
type s3API interface {
	ListBuckets(context.Context, *s3.ListBucketsInput, ...func(*s3.Options)) (*s3.ListBucketsOutput, error)
	GetBucketPolicy(context.Context, *s3.GetBucketPolicyInput, ...func(*s3.Options)) (*s3.GetBucketPolicyOutput, error)
	GetPublicAccessBlock(context.Context, *s3.GetPublicAccessBlockInput, ...func(*s3.Options)) (*s3.GetPublicAccessBlockOutput, error)
	GetBucketOwnershipControls(context.Context, *s3.GetBucketOwnershipControlsInput, ...func(*s3.Options)) (*s3.GetBucketOwnershipControlsOutput, error)
	GetBucketTagging(context.Context, *s3.GetBucketTaggingInput, ...func(*s3.Options)) (*s3.GetBucketTaggingOutput, error)
	GetBucketLocation(context.Context, *s3.GetBucketLocationInput, ...func(*s3.Options)) (*s3.GetBucketLocationOutput, error)
	GetBucketNotificationConfiguration(context.Context, *s3.GetBucketNotificationConfigurationInput, ...func(*s3.Options)) (*s3.GetBucketNotificationConfigurationOutput, error)
}

// s3ControlAPI reads account-level Block Public Access.
type s3ControlAPI interface {
	GetPublicAccessBlock(context.Context, *s3control.GetPublicAccessBlockInput, ...func(*s3control.Options)) (*s3control.GetPublicAccessBlockOutput, error)
}

// S3 is global: one bucket list per account, then each bucket is read in
// its own region. Buckets outside the collected regions are left out.
func s3Service() Service {
	return Service{Name: "s3", Global: true, Collect: collectS3}
}

func collectS3(ctx context.Context, s *Scope) {
	pathStyle := func(o *s3.Options) { o.UsePathStyle = s.EndpointURL != "" }
	var api s3API = s3.NewFromConfig(s.Config, pathStyle)

	var ctl s3ControlAPI = s3control.NewFromConfig(s.Config, func(o *s3control.Options) {
		if s.EndpointURL != "" {
			// Emulators do not serve <account>.s3-control.<region> hosts.
			o.EndpointResolverV2 = fixedEndpoint{s.EndpointURL}
		}
	})
	absent := false
	o, ok := Call(ctx, s, "GetPublicAccessBlock", "account", func(ctx context.Context) (*s3control.GetPublicAccessBlockOutput, error) {
		out, err := ctl.GetPublicAccessBlock(ctx, &s3control.GetPublicAccessBlockInput{AccountId: aws.String(s.Account)})
		if err != nil {
			code, _ := Classify(err)
			absent = code == "NoSuchPublicAccessBlockConfiguration"
		}
		return out, err
	}, "NoSuchPublicAccessBlockConfiguration")
	switch {
	case ok:
		s.Update(func(a *snapshot.Account) { a.PublicAccessBlock = accountBPA(o.PublicAccessBlockConfiguration) })
	case absent:
		// Read, and nothing is blocked at account level (nil would mean "not collected").
		s.Update(func(a *snapshot.Account) { a.PublicAccessBlock = &snapshot.PublicAccessBlock{} })
	}

	inRegion := map[string]bool{}
	for _, r := range s.Regions {
		inRegion[r] = true
	}
	clients := map[string]s3API{}
	p := s3.NewListBucketsPaginator(api, &s3.ListBucketsInput{})
	Pages(ctx, s, "ListBuckets", "", p.HasMorePages, p.NextPage, func(o *s3.ListBucketsOutput) {
		for _, b := range o.Buckets {
			region := str(b.BucketRegion)
			if region == "" {
				region = bucketRegion(ctx, s, api, str(b.Name))
			}
			if !inRegion[region] {
				continue
			}
			c, ok := clients[region]
			if !ok {
				c = s3.NewFromConfig(s.Config, pathStyle, func(o *s3.Options) { o.Region = region })
				clients[region] = c
			}
			collectBucket(ctx, s, c, str(b.Name), region)
		}
	})
}

// bucketRegion asks where a bucket lives when ListBuckets did not say.
func bucketRegion(ctx context.Context, s *Scope, api s3API, name string) string {
	o, ok := Call(ctx, s, "GetBucketLocation", "arn:"+s.Partition+":s3:::"+name, func(ctx context.Context) (*s3.GetBucketLocationOutput, error) {
		return api.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: &name})
	})
	switch {
	case !ok:
		return ""
	case o.LocationConstraint == "":
		return "us-east-1"
	case o.LocationConstraint == "EU":
		return "eu-west-1"
	}
	return string(o.LocationConstraint)
}

func collectBucket(ctx context.Context, s *Scope, api s3API, name, region string) {
	arn := fmt.Sprintf("arn:%s:s3:::%s", partition(region), name)
	r := snapshot.Resource{ARN: arn, Type: snapshot.TypeS3Bucket, Name: name, Region: region, Properties: map[string]string{}}
	if o, ok := Call(ctx, s, "GetBucketPolicy", arn, func(ctx context.Context) (*s3.GetBucketPolicyOutput, error) {
		return api.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: &name})
	}, "NoSuchBucketPolicy"); ok {
		r.Policy = resourcePolicy(s, "GetBucketPolicy", arn, str(o.Policy))
	}
	if o, ok := Call(ctx, s, "GetPublicAccessBlock", arn, func(ctx context.Context) (*s3.GetPublicAccessBlockOutput, error) {
		return api.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: &name})
	}, "NoSuchPublicAccessBlockConfiguration"); ok && o.PublicAccessBlockConfiguration != nil {
		c := o.PublicAccessBlockConfiguration
		r.PublicAccessBlock = &snapshot.PublicAccessBlock{BlockPublicAcls: aws.ToBool(c.BlockPublicAcls), IgnorePublicAcls: aws.ToBool(c.IgnorePublicAcls),
			BlockPublicPolicy: aws.ToBool(c.BlockPublicPolicy), RestrictPublicBuckets: aws.ToBool(c.RestrictPublicBuckets)}
	}
	if o, ok := Call(ctx, s, "GetBucketOwnershipControls", arn, func(ctx context.Context) (*s3.GetBucketOwnershipControlsOutput, error) {
		return api.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: &name})
	}, "OwnershipControlsNotFoundError"); ok && o.OwnershipControls != nil && len(o.OwnershipControls.Rules) > 0 {
		r.Properties["objectOwnership"] = string(o.OwnershipControls.Rules[0].ObjectOwnership)
	}
	if o, ok := Call(ctx, s, "GetBucketTagging", arn, func(ctx context.Context) (*s3.GetBucketTaggingOutput, error) {
		return api.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: &name})
	}, "NoSuchTagSet", "NoSuchTagSetError"); ok && len(o.TagSet) > 0 {
		r.Tags = map[string]string{}
		for _, t := range o.TagSet {
			r.Tags[str(t.Key)] = str(t.Value)
		}
	}
	// Notifications make the bucket an event source of functions, queues and topics.
	if o, ok := Call(ctx, s, "GetBucketNotificationConfiguration", arn, func(ctx context.Context) (*s3.GetBucketNotificationConfigurationOutput, error) {
		return api.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: &name})
	}); ok {
		for _, c := range o.LambdaFunctionConfigurations {
			s.Link(unqualified(str(c.LambdaFunctionArn)), arn)
		}
		for _, c := range o.QueueConfigurations {
			s.Link(str(c.QueueArn), arn)
		}
		for _, c := range o.TopicConfigurations {
			s.Link(str(c.TopicArn), arn)
		}
	}
	if len(r.Properties) == 0 {
		r.Properties = nil
	}
	s.Add(r)
}

type fixedEndpoint struct{ url string }

func (f fixedEndpoint) ResolveEndpoint(context.Context, s3control.EndpointParameters) (smithyendpoints.Endpoint, error) {
	u, err := url.Parse(f.url)
	if err != nil {
		return smithyendpoints.Endpoint{}, err
	}
	return smithyendpoints.Endpoint{URI: *u}, nil
}

func accountBPA(c *s3ctltypes.PublicAccessBlockConfiguration) *snapshot.PublicAccessBlock {
	if c == nil {
		return nil
	}
	return &snapshot.PublicAccessBlock{BlockPublicAcls: aws.ToBool(c.BlockPublicAcls), IgnorePublicAcls: aws.ToBool(c.IgnorePublicAcls),
		BlockPublicPolicy: aws.ToBool(c.BlockPublicPolicy), RestrictPublicBuckets: aws.ToBool(c.RestrictPublicBuckets)}
}

// resourcePolicy decodes a resource policy; a malformed one is a gap and
// left out (the resource itself is kept).
func resourcePolicy(s *Scope, op, arn, doc string) []byte {
	if doc == "" {
		return nil
	}
	d, err := policydoc.DecodeString(doc)
	if err != nil {
		s.Gap(op, arn, "MalformedPolicy", fmt.Sprintf("resource policy of %s: %v; left out", arn, err))
		return nil
	}
	return d
}
