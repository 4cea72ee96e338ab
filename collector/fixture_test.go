package collector_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	apigwtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	apigwv2types "github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	s3ctltypes "github.com/aws/aws-sdk-go-v2/service/s3control/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	smithyendpoints "github.com/aws/smithy-go/endpoints"
)

// The fixture organization, built through the AWS API in moto:
//
//	root ─┬─ workloads (OU) ── prod (OU) ── account "workloads-prod"
//	      └─ security (OU) ─────────────── account "security-audit"
//	management account 123456789012 (moto's default) at the root
//
// with SCPs on the root and the workloads OU, an RCP on the prod account,
// and in the accounts roles, users, groups, managed and inline policies,
// buckets, keys, queues, topics, functions, secrets, tables, a repository,
// a REST API, a task definition and an instance.
type fixture struct {
	endpoint   string
	management string
	accounts   map[string]string // name → ID
}

const managementID = "123456789012"

func baseConfig(endpoint, region, key, secret, token string) aws.Config {
	return aws.Config{
		Region:       region,
		Credentials:  credentials.NewStaticCredentialsProvider(key, secret, token),
		BaseEndpoint: aws.String(endpoint),
	}
}

func must[T any](t *testing.T, what string) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatalf("fixture: %s: %v", what, err)
		}
		return v
	}
}

func policy(statements ...string) *string {
	s := `{"Version":"2012-10-17","Statement":[` + strings.Join(statements, ",") + `]}`
	return &s
}

func buildFixture(t *testing.T, ctx context.Context, endpoint string) *fixture {
	t.Helper()
	// Start from an empty emulator.
	resp, err := http.Post(endpoint+"/moto-api/reset", "application/json", nil)
	if err != nil {
		t.Fatalf("reset moto: %v", err)
	}
	resp.Body.Close()

	mgmt := baseConfig(endpoint, "us-east-1", "testing", "testing", "")
	org := organizations.NewFromConfig(mgmt)
	must[*organizations.CreateOrganizationOutput](t, "create organization")(org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll}))
	roots := must[*organizations.ListRootsOutput](t, "list roots")(org.ListRoots(ctx, &organizations.ListRootsInput{}))
	root := *roots.Roots[0].Id
	for _, pt := range []orgtypes.PolicyType{orgtypes.PolicyTypeServiceControlPolicy, orgtypes.PolicyTypeResourceControlPolicy} {
		if _, err := org.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: &root, PolicyType: pt}); err != nil && !strings.Contains(err.Error(), "PolicyTypeAlreadyEnabled") {
			t.Fatalf("enable %s: %v", pt, err)
		}
	}
	ou := func(parent, name string) string {
		o := must[*organizations.CreateOrganizationalUnitOutput](t, "create OU "+name)(org.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: &parent, Name: &name}))
		return *o.OrganizationalUnit.Id
	}
	workloads := ou(root, "workloads")
	prod := ou(workloads, "prod")
	security := ou(root, "security")

	f := &fixture{endpoint: endpoint, management: managementID, accounts: map[string]string{"management": managementID}}
	newAccount := func(name, parent string) string {
		o := must[*organizations.CreateAccountOutput](t, "create account "+name)(org.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: &name, Email: aws.String(name + "@example.com")}))
		id := *o.CreateAccountStatus.AccountId
		must[*organizations.MoveAccountOutput](t, "move "+name)(org.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: &id, SourceParentId: &root, DestinationParentId: &parent}))
		f.accounts[name] = id
		return id
	}
	prodID := newAccount("workloads-prod", prod)
	auditID := newAccount("security-audit", security)

	orgPolicy := func(name string, typ orgtypes.PolicyType, doc *string, targets ...string) {
		p := must[*organizations.CreatePolicyOutput](t, "create "+name)(org.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: &name, Type: typ, Content: doc, Description: aws.String(name)}))
		for _, tg := range targets {
			must[*organizations.AttachPolicyOutput](t, "attach "+name)(org.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: p.Policy.PolicySummary.Id, TargetId: &tg}))
		}
	}
	orgPolicy("deny-leave-org", orgtypes.PolicyTypeServiceControlPolicy, policy(`{"Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}`), root)
	orgPolicy("region-lock", orgtypes.PolicyTypeServiceControlPolicy, policy(`{"Effect":"Deny","NotAction":["iam:*","sts:*"],"Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":["us-east-1","eu-west-1"]}}}`), workloads)
	orgPolicy("enforce-tls", orgtypes.PolicyTypeResourceControlPolicy, policy(`{"Effect":"Deny","Principal":"*","Action":["s3:*","sqs:*"],"Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}`), prodID)

	// Member accounts are reached as the collector will reach them.
	member := func(id string) aws.Config {
		c := must[*sts.AssumeRoleOutput](t, "assume into "+id)(sts.NewFromConfig(mgmt).AssumeRole(ctx, &sts.AssumeRoleInput{
			RoleArn: aws.String("arn:aws:iam::" + id + ":role/OrganizationAccountAccessRole"), RoleSessionName: aws.String("fixture")}))
		return baseConfig(endpoint, "us-east-1", *c.Credentials.AccessKeyId, *c.Credentials.SecretAccessKey, *c.Credentials.SessionToken)
	}
	prodCfg, auditCfg := member(prodID), member(auditID)

	trustAccount := func(account string) *string {
		return policy(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":"sts:AssumeRole"}`)
	}
	for _, c := range []aws.Config{prodCfg, auditCfg} {
		im := iam.NewFromConfig(c)
		// moto creates the role with the account, as Organizations does; create it where it does not.
		if _, err := im.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("OrganizationAccountAccessRole"), AssumeRolePolicyDocument: trustAccount(managementID)}); err != nil && !strings.Contains(err.Error(), "EntityAlreadyExists") {
			t.Fatalf("fixture: OrganizationAccountAccessRole: %v", err)
		}
		must[*iam.AttachRolePolicyOutput](t, "attach admin")(im.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("OrganizationAccountAccessRole"), PolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")}))
	}

	f.buildManagement(t, ctx, mgmt)
	f.buildProd(t, ctx, prodCfg, prodID, auditID)
	f.buildAudit(t, ctx, auditCfg, auditID, prodID)
	return f
}

func (f *fixture) buildManagement(t *testing.T, ctx context.Context, cfg aws.Config) {
	im := iam.NewFromConfig(cfg)
	must[*iam.CreateUserOutput](t, "user admin")(im.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("admin"), Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("platform")}}}))
	must[*iam.AttachUserPolicyOutput](t, "admin policy")(im.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("admin"), PolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")}))
	must[*iam.CreateGroupOutput](t, "group auditors")(im.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("auditors")}))
	must[*iam.AttachGroupPolicyOutput](t, "auditors policy")(im.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("auditors"), PolicyArn: aws.String("arn:aws:iam::aws:policy/IAMReadOnlyAccess")}))
	must[*iam.PutGroupPolicyOutput](t, "auditors inline")(im.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("auditors"), PolicyName: aws.String("assume-audit"),
		PolicyDocument: policy(`{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::*:role/audit"}`)}))
	must[*iam.CreateUserOutput](t, "user carol")(im.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("carol")}))
	must[*iam.AddUserToGroupOutput](t, "carol in auditors")(im.AddUserToGroup(ctx, &iam.AddUserToGroupInput{UserName: aws.String("carol"), GroupName: aws.String("auditors")}))
	must[*iam.CreateOpenIDConnectProviderOutput](t, "oidc")(im.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{
		Url: aws.String("https://token.actions.githubusercontent.com"), ClientIDList: []string{"sts.amazonaws.com"}, ThumbprintList: []string{"6938fd4d98bab03faadb97b34396831e3780aea1"}}))
	must[*iam.CreateSAMLProviderOutput](t, "saml")(im.CreateSAMLProvider(ctx, &iam.CreateSAMLProviderInput{Name: aws.String("corp-idp"),
		SAMLMetadataDocument: aws.String(strings.Repeat("<md:EntityDescriptor/>", 50))}))
	must[*iam.CreateRoleOutput](t, "role deploy")(im.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("deploy"),
		AssumeRolePolicyDocument: policy(`{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringLike":{"token.actions.githubusercontent.com:sub":"repo:example/orders:*"}}}`)}))
	must[*iam.PutRolePolicyOutput](t, "deploy inline")(im.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("deploy"), PolicyName: aws.String("deploy-prod"),
		PolicyDocument: policy(`{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::*:role/OrganizationAccountAccessRole"}`)}))
}

func (f *fixture) buildProd(t *testing.T, ctx context.Context, cfg aws.Config, id, auditID string) {
	im := iam.NewFromConfig(cfg)
	lambdaTrust := policy(`{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}`)
	// A customer-managed policy with two versions; v2 is the default.
	p := must[*iam.CreatePolicyOutput](t, "policy orders-table-rw")(im.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("orders-table-rw"),
		PolicyDocument: policy(`{"Effect":"Allow","Action":"dynamodb:*","Resource":"*"}`)}))
	must[*iam.CreatePolicyVersionOutput](t, "policy v2")(im.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: p.Policy.Arn, SetAsDefault: true,
		PolicyDocument: policy(`{"Effect":"Allow","Action":["dynamodb:GetItem","dynamodb:PutItem","dynamodb:Query"],"Resource":"arn:aws:dynamodb:us-east-1:` + id + `:table/orders"}`)}))
	b := must[*iam.CreatePolicyOutput](t, "boundary")(im.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("workload-boundary"),
		PolicyDocument: policy(`{"Effect":"Allow","NotAction":["iam:*","organizations:*"],"Resource":"*"}`)}))
	must[*iam.CreateRoleOutput](t, "role orders-fn")(im.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("orders-fn"), Path: aws.String("/service-role/"),
		AssumeRolePolicyDocument: lambdaTrust, PermissionsBoundary: b.Policy.Arn, Tags: []iamtypes.Tag{{Key: aws.String("app"), Value: aws.String("orders")}}}))
	must[*iam.PutRolePolicyOutput](t, "orders-fn inline")(im.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("orders-fn"), PolicyName: aws.String("orders-bucket"),
		PolicyDocument: policy(`{"Sid":"ReadIncoming","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::orders-incoming/uploads/*"}`, `{"Effect":"Allow","Action":["sqs:ReceiveMessage","sqs:DeleteMessage"],"Resource":"*"}`)}))
	for _, arn := range []string{*p.Policy.Arn, "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"} {
		must[*iam.AttachRolePolicyOutput](t, "attach "+arn)(im.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("orders-fn"), PolicyArn: aws.String(arn)}))
	}
	must[*iam.CreateRoleOutput](t, "role reports-fn")(im.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("reports-fn"), AssumeRolePolicyDocument: lambdaTrust}))
	must[*iam.PutRolePolicyOutput](t, "reports-fn inline")(im.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("reports-fn"), PolicyName: aws.String("shortcut"),
		PolicyDocument: policy(`{"Effect":"Allow","Action":["s3:*","iam:PassRole"],"Resource":"*"}`)}))
	must[*iam.CreateRoleOutput](t, "role vendor-audit")(im.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("vendor-audit"),
		AssumeRolePolicyDocument: policy(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999988887777:root"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"acme-7f3c9"}}}`)}))
	must[*iam.AttachRolePolicyOutput](t, "vendor policy")(im.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("vendor-audit"), PolicyArn: aws.String("arn:aws:iam::aws:policy/IAMReadOnlyAccess")}))
	must[*iam.CreateRoleOutput](t, "role batch")(im.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("batch"),
		AssumeRolePolicyDocument: policy(`{"Effect":"Allow","Principal":{"Service":["ec2.amazonaws.com","ecs-tasks.amazonaws.com"]},"Action":"sts:AssumeRole"}`)}))
	must[*iam.CreateInstanceProfileOutput](t, "instance profile")(im.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("batch")}))
	must[*iam.AddRoleToInstanceProfileOutput](t, "profile role")(im.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("batch"), RoleName: aws.String("batch")}))

	// S3: a bucket with a policy, tags, BPA and ownership in us-east-1; a plain one in eu-west-1.
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	must[*s3.CreateBucketOutput](t, "bucket orders-incoming")(s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("orders-incoming")}))
	must[*s3.PutBucketPolicyOutput](t, "bucket policy")(s3c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("orders-incoming"),
		Policy: policy(`{"Sid":"AuditRead","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + auditID + `:role/audit"},"Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::orders-incoming","arn:aws:s3:::orders-incoming/*"]}`)}))
	must[*s3.PutPublicAccessBlockOutput](t, "bucket BPA")(s3c.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: aws.String("orders-incoming"),
		PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(true), IgnorePublicAcls: aws.Bool(true), BlockPublicPolicy: aws.Bool(true), RestrictPublicBuckets: aws.Bool(false)}}))
	must[*s3.PutBucketOwnershipControlsOutput](t, "ownership")(s3c.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: aws.String("orders-incoming"),
		OwnershipControls: &s3types.OwnershipControls{Rules: []s3types.OwnershipControlsRule{{ObjectOwnership: s3types.ObjectOwnershipBucketOwnerEnforced}}}}))
	must[*s3.PutBucketTaggingOutput](t, "bucket tags")(s3c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String("orders-incoming"),
		Tagging: &s3types.Tagging{TagSet: []s3types.Tag{{Key: aws.String("data"), Value: aws.String("confidential")}}}}))
	// Account-level Block Public Access (S3 Control, without the account host prefix moto cannot serve).
	ctl := s3control.NewFromConfig(cfg, func(o *s3control.Options) { o.EndpointResolverV2 = fixedResolver(f.endpoint) })
	must[*s3control.PutPublicAccessBlockOutput](t, "account BPA")(ctl.PutPublicAccessBlock(ctx, &s3control.PutPublicAccessBlockInput{AccountId: aws.String(id),
		PublicAccessBlockConfiguration: &s3ctltypes.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(true), IgnorePublicAcls: aws.Bool(true), BlockPublicPolicy: aws.Bool(true), RestrictPublicBuckets: aws.Bool(true)}}))
	s3eu := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true; o.Region = "eu-west-1" })
	must[*s3.CreateBucketOutput](t, "bucket orders-archive")(s3eu.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("orders-archive"),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraintEuWest1}}))

	// KMS: a customer key with policy, alias and tag.
	k := kms.NewFromConfig(cfg)
	key := must[*kms.CreateKeyOutput](t, "key")(k.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("orders data"),
		Policy: policy(`{"Sid":"Root","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::`+id+`:root"},"Action":"kms:*","Resource":"*"}`, `{"Sid":"OrdersFn","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::`+id+`:role/service-role/orders-fn"},"Action":["kms:Decrypt","kms:GenerateDataKey"],"Resource":"*"}`),
		Tags:   []kmstypes.Tag{{TagKey: aws.String("app"), TagValue: aws.String("orders")}}}))
	must[*kms.CreateAliasOutput](t, "alias")(k.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/orders"), TargetKeyId: key.KeyMetadata.KeyId}))

	// SQS and SNS.
	q := sqs.NewFromConfig(cfg)
	queueARN := "arn:aws:sqs:us-east-1:" + id + ":orders-queue"
	must[*sqs.CreateQueueOutput](t, "queue")(q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("orders-queue"), Tags: map[string]string{"app": "orders"},
		Attributes: map[string]string{"Policy": *policy(`{"Sid":"FromTopic","Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"` + queueARN + `","Condition":{"ArnEquals":{"aws:SourceArn":"arn:aws:sns:us-east-1:` + id + `:orders-events"}}}`)}}))
	n := sns.NewFromConfig(cfg)
	topic := must[*sns.CreateTopicOutput](t, "topic")(n.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("orders-events")}))
	must[*sns.SetTopicAttributesOutput](t, "topic policy")(n.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: topic.TopicArn, AttributeName: aws.String("Policy"),
		AttributeValue: policy(`{"Sid":"AuditSubscribe","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + auditID + `:root"},"Action":"sns:Subscribe","Resource":"` + *topic.TopicArn + `"}`)}))

	// The queue and the reports function subscribe to the topic (after the function exists, below).
	defer func() {
		must[*s3.PutBucketNotificationConfigurationOutput](t, "bucket notification")(s3c.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{
			Bucket: aws.String("orders-incoming"), NotificationConfiguration: &s3types.NotificationConfiguration{LambdaFunctionConfigurations: []s3types.LambdaFunctionConfiguration{{
				LambdaFunctionArn: aws.String("arn:aws:lambda:us-east-1:" + id + ":function:orders-api"), Events: []s3types.Event{s3types.EventS3ObjectCreated}}}}}))
		must[*sns.SubscribeOutput](t, "subscribe queue")(n.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"), Endpoint: aws.String(queueARN)}))
		must[*sns.SubscribeOutput](t, "subscribe function")(n.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("lambda"),
			Endpoint: aws.String("arn:aws:lambda:us-east-1:" + id + ":function:reports")}))
	}()

	// Lambda: a function with role, resource policy, URL and an SQS trigger; a second plain one.
	lc := lambda.NewFromConfig(cfg)
	for _, fn := range []struct{ name, role string }{{"orders-api", "arn:aws:iam::" + id + ":role/service-role/orders-fn"}, {"reports", "arn:aws:iam::" + id + ":role/reports-fn"}} {
		must[*lambda.CreateFunctionOutput](t, "function "+fn.name)(lc.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String(fn.name), Role: aws.String(fn.role),
			Runtime: lambdatypes.RuntimePython312, Handler: aws.String("index.handler"), Code: &lambdatypes.FunctionCode{ZipFile: zipped(t)}, Tags: map[string]string{"app": "orders"}}))
	}
	must[*lambda.AddPermissionOutput](t, "function permission")(lc.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String("orders-api"), StatementId: aws.String("apigw"),
		Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("apigateway.amazonaws.com"), SourceArn: aws.String("arn:aws:execute-api:us-east-1:" + id + ":*/*/POST/orders")}))
	must[*lambda.CreateFunctionUrlConfigOutput](t, "function url")(lc.CreateFunctionUrlConfig(ctx, &lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String("reports"), AuthType: lambdatypes.FunctionUrlAuthTypeNone}))
	must[*lambda.CreateEventSourceMappingOutput](t, "event source")(lc.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("orders-api"), EventSourceArn: aws.String(queueARN)}))

	// Secrets Manager, DynamoDB, ECR, API Gateway, ECS, EC2.
	sm := secretsmanager.NewFromConfig(cfg)
	sec := must[*secretsmanager.CreateSecretOutput](t, "secret")(sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("orders-db"), SecretString: aws.String("hunter2")}))
	must[*secretsmanager.PutResourcePolicyOutput](t, "secret policy")(sm.PutResourcePolicy(ctx, &secretsmanager.PutResourcePolicyInput{SecretId: sec.ARN,
		ResourcePolicy: policy(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + id + `:role/service-role/orders-fn"},"Action":"secretsmanager:GetSecretValue","Resource":"*"}`)}))
	ddb := dynamodb.NewFromConfig(cfg)
	tbl := must[*dynamodb.CreateTableOutput](t, "table")(ddb.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String("orders"), BillingMode: ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: ddbtypes.KeyTypeHash}},
		Tags:                 []ddbtypes.Tag{{Key: aws.String("app"), Value: aws.String("orders")}}}))
	must[*dynamodb.PutResourcePolicyOutput](t, "table policy")(ddb.PutResourcePolicy(ctx, &dynamodb.PutResourcePolicyInput{ResourceArn: tbl.TableDescription.TableArn,
		Policy: policy(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + auditID + `:role/audit"},"Action":"dynamodb:DescribeTable","Resource":"` + *tbl.TableDescription.TableArn + `"}`)}))
	ddb.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String("sessions"), BillingMode: ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: ddbtypes.KeyTypeHash}}})
	er := ecr.NewFromConfig(cfg)
	must[*ecr.CreateRepositoryOutput](t, "repository")(er.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("orders-api")}))
	must[*ecr.SetRepositoryPolicyOutput](t, "repository policy")(er.SetRepositoryPolicy(ctx, &ecr.SetRepositoryPolicyInput{RepositoryName: aws.String("orders-api"),
		PolicyText: policy(`{"Sid":"AuditPull","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + auditID + `:root"},"Action":["ecr:BatchGetImage","ecr:GetDownloadUrlForLayer"]}`)}))
	ag := apigateway.NewFromConfig(cfg)
	rest := must[*apigateway.CreateRestApiOutput](t, "rest api")(ag.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("orders"),
		Policy: policy(`{"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}`)}))
	f.buildAPIs(t, ctx, cfg, rest.Id, id)
	ec := ecs.NewFromConfig(cfg)
	must[*ecs.RegisterTaskDefinitionOutput](t, "task definition")(ec.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String("batch"),
		TaskRoleArn: aws.String("arn:aws:iam::" + id + ":role/batch"), ExecutionRoleArn: aws.String("arn:aws:iam::" + id + ":role/reports-fn"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("worker"), Image: aws.String("orders-api:latest"), Memory: aws.Int32(128)}}}))
	e2 := ec2.NewFromConfig(cfg)
	must[*ec2.RunInstancesOutput](t, "instance")(e2.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-03cf127a"), MinCount: aws.Int32(1), MaxCount: aws.Int32(1),
		InstanceType: ec2types.InstanceTypeT3Micro, IamInstanceProfile: &ec2types.IamInstanceProfileSpecification{Name: aws.String("batch")},
		TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeInstance, Tags: []ec2types.Tag{{Key: aws.String("Name"), Value: aws.String("batch-worker")}}}}}))
}

// buildAPIs gives the REST API "orders" a POST /orders method integrated
// with the orders-api function through its "live" alias, a GET /health
// mock, a stage-variable Lambda integration and a PUT /draft method without
// integration (so the collector's GetIntegration fallback runs); and adds an HTTP API
// "reports-http" whose integrations are the reports function (bare ARN with
// a version) and an HTTP back end.
func (f *fixture) buildAPIs(t *testing.T, ctx context.Context, cfg aws.Config, restID *string, id string) {
	ag := apigateway.NewFromConfig(cfg)
	res := must[*apigateway.GetResourcesOutput](t, "rest api resources")(ag.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: restID}))
	var root *string
	for _, r := range res.Items {
		if aws.ToString(r.Path) == "/" {
			root = r.Id
		}
	}
	fnARN := "arn:aws:lambda:us-east-1:" + id + ":function:orders-api"
	lambdaURI := func(fn string) *string {
		return aws.String("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/" + fn + "/invocations")
	}
	for _, m := range []struct {
		path, method string
		typ          apigwtypes.IntegrationType
		uri          *string
	}{
		{"orders", "POST", apigwtypes.IntegrationTypeAwsProxy, lambdaURI(fnARN + ":live")},
		{"health", "GET", apigwtypes.IntegrationTypeMock, nil},
		{"legacy", "ANY", apigwtypes.IntegrationTypeAwsProxy, lambdaURI("arn:aws:lambda:us-east-1:" + id + ":function:${stageVariables.legacyFn}")},
		{"draft", "PUT", "", nil}, // a method without integration yet
	} {
		r := must[*apigateway.CreateResourceOutput](t, "resource "+m.path)(ag.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: restID, ParentId: root, PathPart: aws.String(m.path)}))
		must[*apigateway.PutMethodOutput](t, "method "+m.path)(ag.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: restID, ResourceId: r.Id, HttpMethod: aws.String(m.method), AuthorizationType: aws.String("AWS_IAM")}))
		if m.typ == "" {
			continue
		}
		in := &apigateway.PutIntegrationInput{RestApiId: restID, ResourceId: r.Id, HttpMethod: aws.String(m.method), Type: m.typ, Uri: m.uri}
		if m.uri != nil {
			in.IntegrationHttpMethod = aws.String("POST")
		}
		must[*apigateway.PutIntegrationOutput](t, "integration "+m.path)(ag.PutIntegration(ctx, in))
	}

	v2 := apigatewayv2.NewFromConfig(cfg)
	api := must[*apigatewayv2.CreateApiOutput](t, "http api")(v2.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("reports-http"),
		ProtocolType: apigwv2types.ProtocolTypeHttp, Tags: map[string]string{"app": "reports"}}))
	must[*apigatewayv2.CreateIntegrationOutput](t, "http api lambda integration")(v2.CreateIntegration(ctx, &apigatewayv2.CreateIntegrationInput{ApiId: api.ApiId,
		IntegrationType: apigwv2types.IntegrationTypeAwsProxy, IntegrationUri: aws.String("arn:aws:lambda:us-east-1:" + id + ":function:reports:1"), PayloadFormatVersion: aws.String("2.0")}))
	must[*apigatewayv2.CreateIntegrationOutput](t, "http api http integration")(v2.CreateIntegration(ctx, &apigatewayv2.CreateIntegrationInput{ApiId: api.ApiId,
		IntegrationType: apigwv2types.IntegrationTypeHttpProxy, IntegrationMethod: aws.String("GET"), IntegrationUri: aws.String("https://reports.example.com/{proxy}"), PayloadFormatVersion: aws.String("1.0")}))
}

func (f *fixture) buildAudit(t *testing.T, ctx context.Context, cfg aws.Config, id, prodID string) {
	im := iam.NewFromConfig(cfg)
	must[*iam.CreateRoleOutput](t, "role audit")(im.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("audit"),
		AssumeRolePolicyDocument: policy(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + managementID + `:root"},"Action":"sts:AssumeRole","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}`)}))
	must[*iam.AttachRolePolicyOutput](t, "audit policy")(im.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("audit"), PolicyArn: aws.String("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")}))
	q := sqs.NewFromConfig(cfg, func(o *sqs.Options) { o.Region = "eu-west-1" })
	must[*sqs.CreateQueueOutput](t, "findings queue")(q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("findings")}))
	sm := secretsmanager.NewFromConfig(cfg, func(o *secretsmanager.Options) { o.Region = "eu-west-1" })
	must[*secretsmanager.CreateSecretOutput](t, "secret")(sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("siem-token"), SecretString: aws.String("x")}))
	_ = prodID
}

type fixedResolver string

func (f fixedResolver) ResolveEndpoint(context.Context, s3control.EndpointParameters) (smithyendpoints.Endpoint, error) {
	u, err := url.Parse(string(f))
	if err != nil {
		return smithyendpoints.Endpoint{}, err
	}
	return smithyendpoints.Endpoint{URI: *u}, nil
}

// zipped is a minimal deployment package.
func zipped(t *testing.T) []byte {
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	f, err := w.Create("index.py")
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintln(f, "def handler(event, context):\n    return {}")
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
