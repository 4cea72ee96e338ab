package collector

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

func TestLastAccessedNeedsIAM(t *testing.T) {
	cases := []struct {
		name     string
		services []string
		wantErr  bool
	}{
		{"all services", nil, false},
		{"iam selected", []string{"iam", "s3"}, false},
		{"iam left out", []string{"s3"}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := New(aws.Config{}, Options{Services: c.services, LastAccessed: true})
			if (err != nil) != c.wantErr || err != nil && !strings.Contains(err.Error(), "add iam to --services") {
				t.Errorf("New: %v, want error %v", err, c.wantErr)
			}
		})
	}
}

func TestConvertLastAccessed(t *testing.T) {
	at := time.Date(2026, 11, 30, 10, 0, 0, 0, time.FixedZone("x", 3600))
	got := convertLastAccessed([]iamtypes.ServiceLastAccessed{
		{ServiceNamespace: aws.String("sqs")},
		{ServiceNamespace: aws.String("s3"), LastAuthenticated: &at, TrackedActionsLastAccessed: []iamtypes.TrackedActionLastAccessed{
			{ActionName: aws.String("PutObject")}, {ActionName: aws.String("s3:GetObject"), LastAccessedTime: &at}, {}}},
	})
	if len(got) != 2 || got[0].Service != "s3" || got[1].Service != "sqs" || got[1].LastAccessed != nil {
		t.Fatalf("services: %+v", got)
	}
	if !got[0].LastAccessed.Equal(at) || got[0].LastAccessed.Location() != time.UTC {
		t.Errorf("s3 time %v, want %v in UTC", got[0].LastAccessed, at)
	}
	a := got[0].Actions
	if len(a) != 2 || a[0].Action != "s3:GetObject" || a[0].LastAccessed == nil || a[1].Action != "s3:PutObject" || a[1].LastAccessed != nil {
		t.Errorf("actions: %+v", a)
	}
}
