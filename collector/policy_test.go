package collector_test

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// The collector calls AWS only through small interfaces it declares (one
// per service file), with the SDK's own signatures. These tests read those
// declarations from the source and hold them against
// docs/collector-policy.json: every call is read-only and allowed, and the
// policy allows nothing the collector does not call.

// iamPrefix maps an SDK package to its IAM action prefix.
var iamPrefix = map[string]string{
	"s3": "s3", "s3control": "s3", "iam": "iam", "sts": "sts", "organizations": "organizations", "kms": "kms",
	"sqs": "sqs", "sns": "sns", "lambda": "lambda", "secretsmanager": "secretsmanager", "dynamodb": "dynamodb",
	"ecr": "ecr", "ec2": "ec2", "ecs": "ecs", "apigateway": "apigateway", "apigatewayv2": "apigateway",
}

// actionNames lists the calls whose IAM action is not <prefix>:<Operation>.
var actionNames = map[string]string{
	"s3.ListBuckets":                        "s3:ListAllMyBuckets",
	"s3.GetPublicAccessBlock":               "s3:GetBucketPublicAccessBlock",
	"s3control.GetPublicAccessBlock":        "s3:GetAccountPublicAccessBlock",
	"s3.GetBucketNotificationConfiguration": "s3:GetBucketNotification",
	"apigateway.GetRestApis":                "apigateway:GET",
	"apigateway.GetResources":               "apigateway:GET",
	"apigateway.GetIntegration":             "apigateway:GET",
	"apigatewayv2.GetApis":                  "apigateway:GET",
	"apigatewayv2.GetIntegrations":          "apigateway:GET",
	"sts.GetCallerIdentity":                 "", // needs no permission
}

// notReadNamed are the calls allowed although not named List/Get/Describe.
var notReadNamed = map[string]string{
	"sts.AssumeRole": "reads nothing and changes nothing: it returns credentials for the member account's role",
	"iam.GenerateServiceLastAccessedDetails": "starts an IAM report job and changes no resource (access level Read in the action catalogue); " +
		"only with --last-accessed",
}

// sdkServiceID maps the SDK's service ID (seen by the call-counting
// middleware) to the package name.
var sdkServiceID = map[string]string{
	"S3": "s3", "S3 Control": "s3control", "IAM": "iam", "STS": "sts", "Organizations": "organizations", "KMS": "kms",
	"SQS": "sqs", "SNS": "sns", "Lambda": "lambda", "Secrets Manager": "secretsmanager", "DynamoDB": "dynamodb",
	"ECR": "ecr", "EC2": "ec2", "ECS": "ecs", "API Gateway": "apigateway", "ApiGatewayV2": "apigatewayv2",
}

// declaredCalls returns "pkg.Method" for every method of every interface
// in the collector package whose signature is an SDK call.
func declaredCalls(t *testing.T) map[string]string {
	t.Helper()
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	calls := map[string]string{} // call → file
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			it, ok := n.(*ast.InterfaceType)
			if !ok {
				return true
			}
			for _, m := range it.Methods.List {
				ft, ok := m.Type.(*ast.FuncType)
				if !ok || len(m.Names) == 0 || len(ft.Params.List) < 2 {
					continue
				}
				star, ok := ft.Params.List[1].Type.(*ast.StarExpr)
				if !ok {
					continue
				}
				sel, ok := star.X.(*ast.SelectorExpr)
				if !ok {
					continue
				}
				pkg := sel.X.(*ast.Ident).Name
				if _, sdk := iamPrefix[pkg]; sdk && strings.HasSuffix(sel.Sel.Name, "Input") {
					calls[pkg+"."+m.Names[0].Name] = name
				}
			}
			return true
		})
	}
	if len(calls) < 20 {
		t.Fatalf("found only %d declared calls; is the parser looking in the right place?", len(calls))
	}
	return calls
}

func actionOf(call string) string {
	if a, ok := actionNames[call]; ok {
		return a
	}
	pkg, op, _ := strings.Cut(call, ".")
	return iamPrefix[pkg] + ":" + op
}

func policyActions(t *testing.T) map[string]bool {
	t.Helper()
	data, err := os.ReadFile("../docs/collector-policy.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Statement []struct {
			Effect string
			Action []string
		}
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("docs/collector-policy.json: %v", err)
	}
	out := map[string]bool{}
	for _, s := range doc.Statement {
		if s.Effect != "Allow" {
			t.Errorf("docs/collector-policy.json: only Allow statements expected, got %q", s.Effect)
		}
		for _, a := range s.Action {
			if strings.Contains(a, "*") {
				t.Errorf("docs/collector-policy.json: wildcard action %q is not least privilege", a)
			}
			out[a] = true
		}
	}
	return out
}

func TestCollectorCallsAreReadOnlyAndInThePolicy(t *testing.T) {
	calls := declaredCalls(t)
	allowed := policyActions(t)
	used := map[string]bool{}
	names := make([]string, 0, len(calls))
	for c := range calls {
		names = append(names, c)
	}
	sort.Strings(names)
	for _, call := range names {
		_, op, _ := strings.Cut(call, ".")
		readNamed := strings.HasPrefix(op, "List") || strings.HasPrefix(op, "Get") || strings.HasPrefix(op, "Describe")
		if _, ok := notReadNamed[call]; !readNamed && !ok {
			t.Errorf("%s (%s) is not a List/Get/Describe call: the collector must only read", call, calls[call])
		}
		a := actionOf(call)
		if a == "" {
			continue
		}
		used[a] = true
		if !allowed[a] {
			t.Errorf("%s (%s) needs %s, which docs/collector-policy.json does not allow", call, calls[call], a)
		}
	}
	for a := range allowed {
		if !used[a] {
			t.Errorf("docs/collector-policy.json allows %s, which the collector never calls: remove it", a)
		}
	}
}

// checkPolicyCoversCalls holds the operations actually invoked (recorded by
// the call-counting middleware during a moto run) against the declared
// interfaces: nothing reaches AWS around them.
func checkPolicyCoversCalls(t *testing.T, ops []string) {
	t.Helper()
	calls := declaredCalls(t)
	for _, op := range ops {
		id, name, _ := strings.Cut(op, ":")
		pkg, ok := sdkServiceID[id]
		if !ok {
			t.Errorf("call %s to an unexpected service", op)
			continue
		}
		if _, ok := calls[pkg+"."+name]; !ok {
			t.Errorf("call %s was made but is not declared in a collector interface (so not checked against the policy)", op)
		}
	}
}
