package collector

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/iamreach/iamreach/snapshot"
)

func TestLambdaFunctionOfIntegration(t *testing.T) {
	const fn = "arn:aws:lambda:eu-west-1:111122223333:function:orders"
	cases := []struct {
		name, uri, want string
		ok              bool
	}{
		{"service path", "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/" + fn + "/invocations", fn, true},
		{"service path with alias", "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/" + fn + ":live/invocations", fn, true},
		{"service path with version", "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/" + fn + ":7/invocations", fn, true},
		{"other partition", "arn:aws-cn:apigateway:cn-north-1:lambda:path/2015-03-31/functions/arn:aws-cn:lambda:cn-north-1:111122223333:function:f/invocations",
			"arn:aws-cn:lambda:cn-north-1:111122223333:function:f", true},
		{"bare function ARN (HTTP API)", fn, fn, true},
		{"bare function ARN with alias", fn + ":prod", fn, true},
		{"stage variable", "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:111122223333:function:${stageVariables.fn}/invocations",
			"arn:aws:lambda:eu-west-1:111122223333:function:${stageVariables.fn}", true},
		{"HTTP back end", "https://example.com/{proxy}", "", false},
		{"other AWS service", "arn:aws:apigateway:eu-west-1:sqs:path/111122223333/queue", "", false},
		{"S3 service path", "arn:aws:apigateway:eu-west-1:s3:path/bucket/key", "", false},
		{"lambda path without function", "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/layers/x", "", false},
		{"not a function ARN", "arn:aws:lambda:eu-west-1:111122223333:layer:x", "", false},
		{"empty", "", "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := lambdaFunctionOfIntegration(c.uri)
			if got != c.want || ok != c.ok {
				t.Errorf("lambdaFunctionOfIntegration(%q) = %q, %v; want %q, %v", c.uri, got, ok, c.want, c.ok)
			}
		})
	}
}

func TestTokenPager(t *testing.T) {
	type opts struct{}
	cases := []struct {
		name   string
		tokens []string // token returned after each page; "" ends
		pages  int
	}{
		{"one page", []string{""}, 1},
		{"three pages", []string{"a", "b", ""}, 3},
		{"repeated token stops", []string{"a", "a", "a"}, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			calls := 0
			var seen []string
			p := &tokenPager[int, opts]{next: func(_ context.Context, token *string, _ ...func(*opts)) (int, *string, error) {
				if token != nil {
					seen = append(seen, *token)
				}
				tok := c.tokens[calls]
				calls++
				if tok == "" {
					return calls, nil, nil
				}
				return calls, &tok, nil
			}}
			n := 0
			for p.HasMorePages() {
				if _, err := p.NextPage(context.Background()); err != nil {
					t.Fatal(err)
				}
				n++
			}
			if n != c.pages {
				t.Errorf("%d pages, want %d (tokens sent %v)", n, c.pages, seen)
			}
		})
	}
	t.Run("error keeps the pager where it was", func(t *testing.T) {
		p := &tokenPager[int, opts]{next: func(context.Context, *string, ...func(*opts)) (int, *string, error) {
			return 0, nil, errors.New("boom")
		}}
		if _, err := p.NextPage(context.Background()); err == nil || p.started {
			t.Errorf("err %v, started %v", err, p.started)
		}
	})
}

func TestLinksAcrossAccounts(t *testing.T) {
	fnA := "arn:aws:lambda:us-east-1:111111111111:function:a"
	fnB := "arn:aws:lambda:us-east-1:222222222222:function:b"
	apiA := "arn:aws:apigateway:us-east-1::/restapis/abc"
	accounts := []snapshot.Account{
		{ID: "111111111111", Resources: []snapshot.Resource{{ARN: fnA}, {ARN: apiA}}},
		{ID: "222222222222", Resources: []snapshot.Resource{{ARN: fnB}}},
	}
	links := [][2]string{{fnA, apiA}, {fnB, apiA}, {"arn:aws:lambda:us-east-1:999999999999:function:gone", apiA}, {fnA, apiA}}
	rest := applyLinks(&accounts[0], links)
	if want := [][2]string{links[1], links[2]}; !reflect.DeepEqual(rest, want) {
		t.Fatalf("links left for other accounts = %v, want %v", rest, want)
	}
	applyCrossAccountLinks(accounts, rest)
	if got := accounts[0].Resources[0].EventSources; !reflect.DeepEqual(got, []string{apiA}) {
		t.Errorf("same-account function: %v", got)
	}
	if got := accounts[1].Resources[0].EventSources; !reflect.DeepEqual(got, []string{apiA}) {
		t.Errorf("function in the other account: %v", got)
	}
}
