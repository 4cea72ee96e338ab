package collector_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/iamreach/iamreach/collector"
)

// TestCollectScaling measures calls and wall time for one account as
// principals and resources grow, and checks that calls grow with
// resources that need their own policy call, not with principals. It
// resets moto, so it runs only when asked: `make bench-collector`.
func TestCollectScaling(t *testing.T) {
	endpoint := motoURL(t)
	if os.Getenv("IAMREACH_COLLECT_BENCH") == "" {
		t.Skip("set IAMREACH_COLLECT_BENCH=1 (make bench-collector); it resets moto")
	}
	ctx := context.Background()
	resp, err := http.Post(endpoint+"/moto-api/reset", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cfg := baseConfig(endpoint, "us-east-1", "testing", "testing", "")
	im, q, l := iam.NewFromConfig(cfg), sqs.NewFromConfig(cfg), lambda.NewFromConfig(cfg)
	b := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	trust := policy(`{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}`)

	var roles, queues, functions, buckets int
	step := func(addRoles, addQueues, addFunctions, addBuckets int) {
		for i := 0; i < addRoles; i++ {
			must[*iam.CreateRoleOutput](t, "role")(im.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(fmt.Sprintf("r%04d", roles)), AssumeRolePolicyDocument: trust}))
			roles++
		}
		for i := 0; i < addQueues; i++ {
			must[*sqs.CreateQueueOutput](t, "queue")(q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(fmt.Sprintf("q%04d", queues))}))
			queues++
		}
		for i := 0; i < addFunctions; i++ {
			must[*lambda.CreateFunctionOutput](t, "function")(l.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String(fmt.Sprintf("f%04d", functions)),
				Role: aws.String("arn:aws:iam::123456789012:role/r0000"), Runtime: lambdatypes.RuntimePython312, Handler: aws.String("index.handler"),
				Code: &lambdatypes.FunctionCode{ZipFile: zipped(t)}}))
			functions++
		}
		for i := 0; i < addBuckets; i++ {
			must[*s3.CreateBucketOutput](t, "bucket")(b.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(fmt.Sprintf("bench-%04d", buckets))}))
			buckets++
		}
	}
	measure := func() (calls int, elapsed time.Duration) {
		s, c, d := collect(t, endpoint, collector.Options{NoOrg: true, Regions: []string{"us-east-1"}})
		if len(s.Gaps) != 0 {
			t.Fatalf("gaps: %+v", s.Gaps)
		}
		return c.Stats().CallsPerAccount()["123456789012"], d
	}
	sizes := []struct{ roles, queues, functions, buckets int }{{1, 0, 0, 0}, {300, 0, 0, 0}, {0, 50, 0, 0}, {0, 0, 20, 0}, {0, 0, 0, 20}}
	if n, _ := strconv.Atoi(os.Getenv("IAMREACH_COLLECT_BENCH_SCALE")); n > 1 {
		for i := range sizes {
			sizes[i].roles, sizes[i].queues, sizes[i].functions, sizes[i].buckets = sizes[i].roles*n, sizes[i].queues*n, sizes[i].functions*n, sizes[i].buckets*n
		}
	}
	prev := 0
	t.Logf("| roles | queues | functions | buckets | calls | wall time |")
	for i, sz := range sizes {
		step(sz.roles, sz.queues, sz.functions, sz.buckets)
		calls, d := measure()
		t.Logf("| %d | %d | %d | %d | %d | %s |", roles, queues, functions, buckets, calls, d.Round(time.Millisecond))
		if i > 0 {
			// Principals: GetAccountAuthorizationDetails pages of 1000. Queues: 2 calls each
			// (attributes, tags). Functions: 3 each (policy, URL, tags) plus the
			// event-source listing once there is one. Buckets: 6 each at most.
			grew := calls - prev
			limit := (sz.roles+999)/1000 + 2*sz.queues + 3*sz.functions + 1 + 6*sz.buckets
			if grew > limit {
				t.Errorf("calls grew by %d for +%d roles +%d queues +%d functions +%d buckets; bound %d", grew, sz.roles, sz.queues, sz.functions, sz.buckets, limit)
			}
		}
		prev = calls
	}
}
