package policydoc_test

import (
	"strings"
	"testing"

	"github.com/iamreach/iamreach/collector/policydoc"
)

func TestDecode(t *testing.T) {
	cases := []struct {
		name, in, want, err string
	}{
		{"object", `{ "Version": "2012-10-17", "Statement": [] }`, `{"Version":"2012-10-17","Statement":[]}`, ""},
		{"JSON string", `"{\"Statement\":[]}"`, `{"Statement":[]}`, ""},
		{"URL-encoded string", `"%7B%22Statement%22%3A%5B%5D%7D"`, `{"Statement":[]}`, ""},
		{"plus stays plus", `"%7B%22a%22%3A%22x+y%22%7D"`, `{"a":"x+y"}`, ""},
		{"null", `null`, "", "empty"},
		{"list", `[1]`, "", "not a JSON object"},
		{"broken", `{"a": }`, "", "line 1, column 7"},
		{"bad escape", `"%zz"`, "", "neither JSON nor URL-encoded"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := policydoc.Decode([]byte(c.in))
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("err = %v, want %q", err, c.err)
				}
				return
			}
			if err != nil || string(got) != c.want {
				t.Fatalf("got %s, %v; want %s", got, err, c.want)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	cases := []struct {
		name string
		kind policydoc.Kind
		doc  string
		want []string // problems, in order
	}{
		{"valid identity", policydoc.Identity, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`, nil},
		{"valid trust", policydoc.Resource, `{"Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::1:root"]},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"x"},"Bool":{"aws:SecureTransport":true}}}]}`, nil},
		{"public", policydoc.Resource, `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`, nil},
		{"no statement", policydoc.Identity, `{"Version":"2012-10-17"}`, []string{"Statement is missing"}},
		{"bad version", policydoc.Identity, `{"Version":"2020-01-01","Statement":[]}`, []string{`Version is "2020-01-01"`}},
		{"statement is a string", policydoc.Identity, `{"Statement":"x"}`, []string{"Statement is a string"}},
		{"effect typo and unknown key", policydoc.Identity, `{"Statement":[{"Sid":"A","Effect":"allow","Action":"s3:*","Resources":"*"}]}`,
			[]string{`statement 0 (Sid "A"): unknown element "Resources"`, `statement 0 (Sid "A"): Effect is "allow"`}},
		{"action and notaction", policydoc.Identity, `{"Statement":[{"Effect":"Deny","Action":"a:b","NotAction":"c:d"}]}`, []string{"both Action and NotAction"}},
		{"no action", policydoc.Identity, `{"Statement":[{"Effect":"Deny","Resource":"*"}]}`, []string{"Action (or NotAction) is missing"}},
		{"action is a number", policydoc.Identity, `{"Statement":[{"Effect":"Deny","Action":3}]}`, []string{"Action is a number"}},
		{"principal in identity policy", policydoc.Identity, `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*"}]}`, []string{"Principal is not allowed"}},
		{"no principal in trust", policydoc.Resource, `{"Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}`, []string{"Principal is missing"}},
		{"principal shape", policydoc.Resource, `{"Statement":[{"Effect":"Allow","Principal":"arn:aws:iam::1:root","Action":"sts:AssumeRole"}]}`, []string{"Principal is a string"}},
		{"condition shape", policydoc.Identity, `{"Statement":[{"Effect":"Allow","Action":"s3:*","Condition":{"StringEquals":"x"}}]}`, []string{"Condition operator StringEquals is a string"}},
		{"second statement", policydoc.Identity, `{"Statement":[{"Effect":"Allow","Action":"s3:*"},{"Effect":"Allow","Action":[]}]}`, []string{"statement 1: Action is a list"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := policydoc.Check([]byte(c.doc), c.kind)
			if len(got) != len(c.want) {
				t.Fatalf("problems %v, want %v", got, c.want)
			}
			for i, w := range c.want {
				if !strings.Contains(got[i].String(), w) {
					t.Errorf("problem %d = %q, want %q", i, got[i], w)
				}
			}
		})
	}
}
