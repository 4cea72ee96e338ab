# Regenerate with: python3 graph/findings/testdata/corpus.py
# Writes graph/findings/testdata/*.json: small organizations with the findings
# expected for them, derived by hand from the AWS documentation cited in each.
import json, os, copy
OUT = os.path.dirname(os.path.abspath(__file__))
ORG, MGMT, ACC, OTHER = "o-corpus0001", "111111111111", "222222222222", "333333333333"
STRAY, DATADOG = "999999999999", "464622532012"
V = "2012-10-17"
def doc(*stmts): return {"Version": V, "Statement": list(stmts)}
def allow(action, resource="*", **kw):
    s = {"Effect": "Allow", "Action": action, "Resource": resource}; s.update(kw); return s
def trust(principal, action="sts:AssumeRole", cond=None):
    s = {"Effect": "Allow", "Principal": principal, "Action": action}
    if cond: s["Condition"] = cond
    return doc(s)
def role(name, trustdoc, inline=None, attached=None, acc=ACC, **kw):
    r = {"arn": f"arn:aws:iam::{acc}:role/{name}", "name": name, "trustPolicy": trustdoc}
    if inline: r["inlinePolicies"] = [{"name": f"{name}-policy", "document": inline}]
    if attached: r["attachedPolicies"] = attached
    r.update(kw); return r
def user(name, inline=None, attached=None, acc=ACC, **kw):
    u = {"arn": f"arn:aws:iam::{acc}:user/{name}", "name": name}
    if inline: u["inlinePolicies"] = [{"name": f"{name}-policy", "document": inline}]
    if attached: u["attachedPolicies"] = attached
    u.update(kw); return u
def bucket(name, policy=None, acc=ACC, **kw):
    r = {"arn": f"arn:aws:s3:::{name}", "type": "s3:bucket", "name": name, "account": acc}
    if policy: r["policy"] = policy
    r.update(kw); return r
def fn(name, role_name, acc=ACC, **kw):
    r = {"arn": f"arn:aws:lambda:us-east-1:{acc}:function:{name}", "type": "lambda:function", "name": name, "account": acc, "region": "us-east-1",
         "runsAs": [f"arn:aws:iam::{acc}:role/{role_name}"]}
    r.update(kw); return r
LAMBDA = {"Service": "lambda.amazonaws.com"}
ADMIN_POLICY = {"arn": "arn:aws:iam::aws:policy/AdministratorAccess", "name": "AdministratorAccess", "awsManaged": True, "document": doc(allow("*"))}
def snapshot(roles=(), users=(), resources=(), policies=(), scps=(), rcps=(), acc_extra=None, providers=(), groups=()):
    a = {"id": ACC, "name": "member", "parentId": "ou-corp-work", "roles": list(roles), "users": list(users), "resources": list(resources),
         "policies": [ADMIN_POLICY] + list(policies)}
    if providers: a["identityProviders"] = list(providers)
    if groups: a["groups"] = list(groups)
    if acc_extra: a.update(acc_extra)
    pols = [{"id": "p-FullAWSAccess", "name": "FullAWSAccess", "type": "SERVICE_CONTROL_POLICY", "awsManaged": True, "document": doc(allow("*")), "targets": ["r-corp", "ou-corp-work", MGMT, ACC, OTHER]}]
    for i, (d, tgt) in enumerate(scps):
        pols.append({"id": f"p-scp{i}", "name": f"scp{i}", "type": "SERVICE_CONTROL_POLICY", "document": d, "targets": [tgt]})
    for i, (d, tgt) in enumerate(rcps):
        pols.append({"id": f"p-rcp{i}", "name": f"rcp{i}", "type": "RESOURCE_CONTROL_POLICY", "document": d, "targets": [tgt]})
    return {"schemaVersion": 1, "generatedAt": "2026-06-01T00:00:00Z", "source": "corpus", "complete": True,
            "organization": {"id": ORG, "managementAccountId": MGMT,
                             "units": [{"id": "r-corp", "name": "Root", "type": "ROOT"}, {"id": "ou-corp-work", "name": "Workloads", "type": "ORGANIZATIONAL_UNIT", "parentId": "r-corp"}],
                             "policies": pols},
            "accounts": [{"id": MGMT, "name": "management", "parentId": "r-corp"}, a,
                         {"id": OTHER, "name": "other", "parentId": "ou-corp-work", "roles": [role("caller", trust({"AWS": f"arn:aws:iam::{OTHER}:root"}), inline=doc(allow("sts:AssumeRole")), acc=OTHER)]}]}
def R(name, acc=ACC): return f"arn:aws:iam::{acc}:role/{name}"
def U(name, acc=ACC): return f"arn:aws:iam::{acc}:user/{name}"
def E(kind, subject, **kw): d = {"kind": kind, "subject": subject}; d.update(kw); return d

cases = []
def case(name, ref, why, snap, expect=(), absent=(), known=None):
    c = {"name": name, "reference": ref, "why": why, "snapshot": snap, "expect": list(expect), "absent": list(absent)}
    if known: c["knownAccounts"] = known
    cases.append(c)

TRUST_DOC = "IAM User Guide: How IAM roles differ from resource-based policies; Cross-account policy evaluation logic"
READER = doc(allow("s3:GetObject", "arn:aws:s3:::reports/*"))
# ---------------------------------------------------------------- cross-account
case("xacct-unknown-account-trust", TRUST_DOC,
     "A role trusting another AWS account's root lets that account's admins delegate AssumeRole: an outside account, unconditionally.",
     snapshot(roles=[role("partner-read", trust({"AWS": f"arn:aws:iam::{STRAY}:root"}), inline=READER)], resources=[bucket("reports")]),
     expect=[E("external-trust", R("partner-read"), target=f"account:{STRAY}", severity="high"),
             E("external-access", f"account:{STRAY}", target="arn:aws:s3:::reports", severity="high")])
case("xacct-unknown-account-trust-condition", TRUST_DOC + "; IAM condition keys aws:SourceIp",
     "The same trust under a request condition holds only if the condition does: reported one level lower, with the condition.",
     snapshot(roles=[role("partner-read", trust({"AWS": f"arn:aws:iam::{STRAY}:root"}, cond={"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}), inline=READER)], resources=[bucket("reports")]),
     expect=[E("external-trust", R("partner-read"), severity="medium", conditionContains="203.0.113.0/24"),
             E("external-access", f"account:{STRAY}", target="arn:aws:s3:::reports", severity="medium")])
case("xacct-vendor-externalid", "IAM User Guide: Access to AWS accounts owned by third parties (external ID)",
     "A well-known vendor trusted with sts:ExternalId is the documented way to grant a third party access.",
     snapshot(roles=[role("datadog", trust({"AWS": f"arn:aws:iam::{DATADOG}:root"}, cond={"StringEquals": {"sts:ExternalId": "abc123"}}), inline=READER)], resources=[bucket("reports")]),
     expect=[E("external-trust", R("datadog"), severity="low", titleContains="Datadog")])
case("xacct-vendor-no-externalid", "IAM User Guide: The confused deputy problem; Access to AWS accounts owned by third parties",
     "Without sts:ExternalId, the vendor can be tricked into using this role on behalf of another of its customers.",
     snapshot(roles=[role("datadog", trust({"AWS": f"arn:aws:iam::{DATADOG}:root"}), inline=READER)], resources=[bucket("reports")]),
     expect=[E("external-trust", R("datadog"), severity="high", titleContains="Datadog", detailContains="ExternalId")])
case("xacct-known-account", TRUST_DOC,
     "An account on the user's allow-list is expected: reported for the record (info), with the user's label.",
     snapshot(roles=[role("partner-read", trust({"AWS": f"arn:aws:iam::{STRAY}:root"}), inline=READER)], resources=[bucket("reports")]),
     expect=[E("external-trust", R("partner-read"), severity="info", titleContains="Partner Co"),
             E("external-access", f"account:{STRAY}", target="arn:aws:s3:::reports", severity="low")],
     known={STRAY: "Partner Co"})
case("xacct-org-account-trust", TRUST_DOC,
     "A trust in another account of the same organization is not outside access.",
     snapshot(roles=[role("shared", trust({"AWS": f"arn:aws:iam::{OTHER}:root"}), inline=READER)], resources=[bucket("reports")]),
     absent=[E("external-trust", R("shared")), E("external-access", f"account:{OTHER}")])
GH = f"arn:aws:iam::{ACC}:oidc-provider/token.actions.githubusercontent.com"
GH_PROVIDER = {"arn": GH, "type": "OIDC", "url": "token.actions.githubusercontent.com", "clientIds": ["sts.amazonaws.com"]}
OIDC_DOC = "IAM User Guide: Creating a role for web identity or OpenID Connect Federation; GitHub Docs: Configuring OpenID Connect in AWS"
case("xacct-oidc-github-no-sub", OIDC_DOC,
     "Without a condition on the token's sub claim, any GitHub repository's workflow can get a token GitHub signs for this audience.",
     snapshot(providers=[GH_PROVIDER], roles=[role("ci", trust({"Federated": GH}, "sts:AssumeRoleWithWebIdentity", {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}}), inline=READER)], resources=[bucket("reports")]),
     expect=[E("external-trust", R("ci"), target=GH, severity="critical")])
case("xacct-oidc-github-sub-pinned", OIDC_DOC,
     "A sub claim pinned to one repository and branch confines the trust.",
     snapshot(providers=[GH_PROVIDER], roles=[role("ci", trust({"Federated": GH}, "sts:AssumeRoleWithWebIdentity", {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com", "token.actions.githubusercontent.com:sub": "repo:acme/app:ref:refs/heads/main"}}), inline=READER)], resources=[bucket("reports")]),
     expect=[E("external-trust", R("ci"), target=GH, severity="low", conditionContains="repo:acme/app")])
case("xacct-oidc-github-sub-wildcard", OIDC_DOC,
     "A wildcard in the sub claim lets every repository (or branch) matching it in.",
     snapshot(providers=[GH_PROVIDER], roles=[role("ci", trust({"Federated": GH}, "sts:AssumeRoleWithWebIdentity", {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}, "StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/*"}}), inline=READER)], resources=[bucket("reports")]),
     expect=[E("external-trust", R("ci"), target=GH, severity="medium")])
SAML = f"arn:aws:iam::{ACC}:saml-provider/corp"
case("xacct-saml", "IAM User Guide: Creating a role for SAML 2.0 federation",
     "Federated sign-in through the company's SAML IdP is expected; listed for the audit (info).",
     snapshot(providers=[{"arn": SAML, "type": "SAML"}], roles=[role("sso-admin", trust({"Federated": SAML}, "sts:AssumeRoleWithSAML", {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}), inline=READER)], resources=[bucket("reports")]),
     expect=[E("external-trust", R("sso-admin"), target=SAML, severity="info")])
case("xacct-bucket-policy-external", "IAM User Guide: Cross-account policy evaluation logic; S3 User Guide: bucket policy examples",
     "A bucket policy naming an outside account lets that account's principals in (their own identity policies permitting).",
     snapshot(resources=[bucket("exports", doc({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{STRAY}:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::exports/*"}))]),
     expect=[E("external-access", f"account:{STRAY}", target="arn:aws:s3:::exports")])
case("xacct-rcp-data-perimeter", "Organizations User Guide: Resource control policies (RCPs); data perimeter examples",
     "An RCP denying s3 to principals outside the organization overrides the bucket policy's grant to an outside account.",
     snapshot(resources=[bucket("exports", doc({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{STRAY}:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::exports/*"}))],
              rcps=[(doc({"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*", "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": ORG}, "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}}), "r-corp")]),
     absent=[E("external-access", f"account:{STRAY}")])
case("xacct-external-role-principal", TRUST_DOC + "; IAM JSON policy elements: Principal (role ARN)",
     "A trust naming a specific role of an outside account: that role (not its whole account) can get in.",
     snapshot(roles=[role("partner-read", trust({"AWS": f"arn:aws:iam::{STRAY}:role/etl"}), inline=READER)], resources=[bucket("reports")]),
     expect=[E("external-trust", R("partner-read"), target=R("etl", STRAY), severity="high"),
             E("external-access", R("etl", STRAY), target="arn:aws:s3:::reports")])
case("confused-deputy-resource-policy", "IAM User Guide: The confused deputy problem (cross-service); SNS/SQS access policy examples",
     "A queue policy letting sns.amazonaws.com send without aws:SourceArn/SourceAccount lets any customer's topic deliver to it.",
     snapshot(resources=[{"arn": f"arn:aws:sqs:us-east-1:{ACC}:jobs", "type": "sqs:queue", "name": "jobs", "account": ACC, "region": "us-east-1",
                          "policy": doc({"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage", "Resource": f"arn:aws:sqs:us-east-1:{ACC}:jobs"})},
                         {"arn": f"arn:aws:sqs:us-east-1:{ACC}:safe", "type": "sqs:queue", "name": "safe", "account": ACC, "region": "us-east-1",
                          "policy": doc({"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage", "Resource": f"arn:aws:sqs:us-east-1:{ACC}:safe",
                                         "Condition": {"ArnEquals": {"aws:SourceArn": f"arn:aws:sns:us-east-1:{ACC}:topic"}}})}]),
     expect=[E("confused-deputy", f"arn:aws:sqs:us-east-1:{ACC}:jobs", severity="medium")],
     absent=[E("confused-deputy", f"arn:aws:sqs:us-east-1:{ACC}:safe")])
case("confused-deputy-role-trust", "IAM User Guide: The confused deputy problem; AWS Config: permissions for the IAM role",
     "A role trusting a service that assumes roles for any customer (here AWS Config) needs aws:SourceAccount; a role for Lambda is guarded by iam:PassRole.",
     snapshot(roles=[role("config", trust({"Service": "config.amazonaws.com"}), inline=READER),
                     role("config-safe", trust({"Service": "config.amazonaws.com"}, cond={"StringEquals": {"aws:SourceAccount": ACC}}), inline=READER),
                     role("fn", trust(LAMBDA), inline=READER)], resources=[bucket("reports")]),
     expect=[E("confused-deputy", R("config"), severity="medium")],
     absent=[E("confused-deputy", R("config-safe")), E("confused-deputy", R("fn"))])
KEY2 = f"arn:aws:kms:us-east-1:{ACC}:key/22222222-3333-4444-5555-666666666666"
case("xacct-kms-key-policy-external", "KMS Developer Guide: Allowing users in other accounts to use a KMS key",
     "A key policy naming an outside account lets its principals decrypt (their own policies permitting).",
     snapshot(resources=[{"arn": KEY2, "type": "kms:key", "name": "shared", "account": ACC, "region": "us-east-1", "properties": {"keyManager": "CUSTOMER"},
                          "policy": doc({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACC}:root"}, "Action": "kms:*", "Resource": "*"},
                                        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{STRAY}:root"}, "Action": ["kms:Decrypt", "kms:DescribeKey"], "Resource": "*"})}]),
     expect=[E("external-access", f"account:{STRAY}", target=KEY2)])
case("xacct-lambda-permission-external", "Lambda Developer Guide: Granting function access to other accounts",
     "A function policy letting an outside account invoke the function.",
     snapshot(roles=[role("fn", trust(LAMBDA))],
              resources=[fn("api", "fn", policy=doc({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{STRAY}:root"}, "Action": "lambda:InvokeFunction", "Resource": f"arn:aws:lambda:us-east-1:{ACC}:function:api"}))]),
     expect=[E("external-access", f"account:{STRAY}", target=f"arn:aws:lambda:us-east-1:{ACC}:function:api")])
case("confused-deputy-lambda-s3", "Lambda Developer Guide: Using AWS Lambda with Amazon S3 (SourceAccount); IAM User Guide: The confused deputy problem",
     "A function policy letting s3.amazonaws.com invoke without aws:SourceAccount/SourceArn: any bucket, any account, can trigger it.",
     snapshot(roles=[role("fn", trust(LAMBDA))],
              resources=[fn("thumb", "fn", policy=doc({"Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"}, "Action": "lambda:InvokeFunction", "Resource": f"arn:aws:lambda:us-east-1:{ACC}:function:thumb"})),
                         fn("safe", "fn", policy=doc({"Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"}, "Action": "lambda:InvokeFunction", "Resource": f"arn:aws:lambda:us-east-1:{ACC}:function:safe",
                                                      "Condition": {"StringEquals": {"aws:SourceAccount": ACC}}}))]),
     expect=[E("confused-deputy", f"arn:aws:lambda:us-east-1:{ACC}:function:thumb")],
     absent=[E("confused-deputy", f"arn:aws:lambda:us-east-1:{ACC}:function:safe")])
# ---------------------------------------------------------------- public
PUB = "S3 User Guide: Blocking public access — The meaning of \"public\""
def public_bucket(name, cond=None, action="s3:GetObject", **kw):
    s = {"Effect": "Allow", "Principal": "*", "Action": action, "Resource": f"arn:aws:s3:::{name}/*"}
    if cond: s["Condition"] = cond
    return bucket(name, doc(s), **kw)
case("public-bucket-policy", PUB, "Principal \"*\" with no condition: public.",
     snapshot(resources=[public_bucket("site")]), expect=[E("public", "arn:aws:s3:::site", severity="high")])
case("public-bucket-write", PUB, "Public write is worse than public read.",
     snapshot(resources=[public_bucket("drop", action="s3:PutObject")]), expect=[E("public", "arn:aws:s3:::drop", severity="critical")])
case("public-bucket-bpa-account", PUB + "; RestrictPublicBuckets",
     "Account-level RestrictPublicBuckets limits a public bucket policy to service principals and the owner's account: not public.",
     snapshot(resources=[public_bucket("site")], acc_extra={"publicAccessBlock": {"blockPublicAcls": True, "ignorePublicAcls": True, "blockPublicPolicy": True, "restrictPublicBuckets": True}}),
     expect=[E("public", "arn:aws:s3:::site", severity="info")])
case("public-bucket-bpa-bucket", PUB + "; RestrictPublicBuckets",
     "Bucket-level RestrictPublicBuckets does the same for one bucket.",
     snapshot(resources=[public_bucket("site", publicAccessBlock={"blockPublicAcls": False, "ignorePublicAcls": False, "blockPublicPolicy": False, "restrictPublicBuckets": True}), public_bucket("other")]),
     expect=[E("public", "arn:aws:s3:::site", severity="info"), E("public", "arn:aws:s3:::other", severity="high")])
case("public-bucket-bpa-policy-only", PUB + "; BlockPublicPolicy",
     "BlockPublicPolicy only refuses new public policies; an existing one stays effective.",
     snapshot(resources=[public_bucket("site", publicAccessBlock={"blockPublicAcls": True, "ignorePublicAcls": True, "blockPublicPolicy": True, "restrictPublicBuckets": False})]),
     expect=[E("public", "arn:aws:s3:::site", severity="high")])
case("public-blocked-by-rcp", PUB + "; Organizations User Guide: RCP examples (restrict access to principals in the organization)",
     "An RCP denying s3 unless aws:PrincipalOrgID is the organization (IfExists: an anonymous caller has no such key, so the deny applies) makes the public policy ineffective.",
     snapshot(resources=[public_bucket("site")],
              rcps=[(doc({"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*", "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": ORG}, "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}}), "r-corp")]),
     absent=[E("public", "arn:aws:s3:::site")])
case("public-confined-sourcevpce", PUB, "A fixed aws:SourceVpce confines \"*\": not public.",
     snapshot(resources=[public_bucket("vpc", {"StringEquals": {"aws:SourceVpce": "vpce-0123456789abcdef0"}})]), absent=[E("public", "arn:aws:s3:::vpc")])
case("public-confined-orgid", PUB + "; IAM Access Analyzer zone of trust",
     "A fixed aws:PrincipalOrgID confines \"*\" to the organization: not public.",
     snapshot(resources=[public_bucket("org", {"StringEquals": {"aws:PrincipalOrgID": ORG}})]), absent=[E("public", "arn:aws:s3:::org")])
case("public-sourceip-any", PUB, "aws:SourceIp 0.0.0.0/0 does not confine anything.",
     snapshot(resources=[public_bucket("ip", {"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}})]), expect=[E("public", "arn:aws:s3:::ip")])
case("public-sourceip-cidr", PUB, "A bounded aws:SourceIp CIDR set is not public.",
     snapshot(resources=[public_bucket("office", {"IpAddress": {"aws:SourceIp": "198.51.100.0/24"}})]), absent=[E("public", "arn:aws:s3:::office")])
case("public-sqs-queue", PUB + " (applied to SQS access policies); SQS Developer Guide: access policy examples",
     "The S3 definition of public applied to a queue policy: anyone may send messages.",
     snapshot(resources=[{"arn": f"arn:aws:sqs:us-east-1:{ACC}:inbox", "type": "sqs:queue", "name": "inbox", "account": ACC, "region": "us-east-1",
                          "policy": doc({"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": f"arn:aws:sqs:us-east-1:{ACC}:inbox"})}]),
     expect=[E("public", f"arn:aws:sqs:us-east-1:{ACC}:inbox")])
KEY = f"arn:aws:kms:us-east-1:{ACC}:key/11111111-2222-3333-4444-555555555555"
case("public-kms-key", PUB + " (applied to key policies); KMS Developer Guide: key policies",
     "A key policy granting kms:Decrypt to \"*\" without a confining condition is public.",
     snapshot(resources=[{"arn": KEY, "type": "kms:key", "name": "k", "account": ACC, "region": "us-east-1", "properties": {"keyManager": "CUSTOMER"},
                          "policy": doc({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACC}:root"}, "Action": "kms:*", "Resource": "*"},
                                        {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:Decrypt", "Resource": "*"})}]),
     expect=[E("public", KEY)])
case("public-role-trust", "IAM User Guide: IAM JSON policy elements: Principal (anonymous / everyone)",
     "A trust policy with Principal \"*\" lets any AWS principal assume the role.",
     snapshot(roles=[role("open", trust("*"), inline=READER)], resources=[bucket("reports")]),
     expect=[E("external-trust", R("open"), target="anonymous", severity="critical")])
case("public-lambda-url", "Lambda Developer Guide: Security and auth model for Lambda function URLs",
     "A function URL with auth type NONE and a function policy granting lambda:InvokeFunctionUrl to \"*\" is callable by anyone.",
     snapshot(roles=[role("hook", trust(LAMBDA))],
              resources=[fn("hook", "hook", properties={"functionUrlAuthType": "NONE"},
                            policy=doc({"Effect": "Allow", "Principal": "*", "Action": "lambda:InvokeFunctionUrl", "Resource": f"arn:aws:lambda:us-east-1:{ACC}:function:hook",
                                        "Condition": {"StringEquals": {"lambda:FunctionUrlAuthType": "NONE"}}}))]),
     expect=[E("public", f"arn:aws:lambda:us-east-1:{ACC}:function:hook")])
SECRET = f"arn:aws:secretsmanager:us-east-1:{ACC}:secret:db-AbCdEf"
case("public-secret", PUB + " (applied to Secrets Manager resource policies)",
     "A secret whose resource policy lets anyone read its value.",
     snapshot(resources=[{"arn": SECRET, "type": "secretsmanager:secret", "name": "db", "account": ACC, "region": "us-east-1",
                          "policy": doc({"Effect": "Allow", "Principal": "*", "Action": "secretsmanager:GetSecretValue", "Resource": "*"})}]),
     expect=[E("public", SECRET, severity="high")])
TOPIC = f"arn:aws:sns:us-east-1:{ACC}:alerts"
case("public-sns-topic", PUB + " (applied to SNS topic policies)",
     "A topic anyone may publish to.",
     snapshot(resources=[{"arn": TOPIC, "type": "sns:topic", "name": "alerts", "account": ACC, "region": "us-east-1",
                          "policy": doc({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sns:Publish", "Resource": TOPIC})}]),
     expect=[E("public", TOPIC)])
# ---------------------------------------------------------------- escalation
ESC = "IAM evaluation notes: privilege-escalation primitives (docs); Rhino Security Labs: AWS IAM privilege escalation methods"
ADMIN_ROLE = role("admin", trust(LAMBDA), attached=["arn:aws:iam::aws:policy/AdministratorAccess"])
PASS_LAMBDA = doc(allow(["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"]))
case("admin-administratoraccess", "IAM User Guide: AWS managed policies for job functions (AdministratorAccess)",
     "A user with AdministratorAccess is admin-equivalent.",
     snapshot(users=[user("root-ish", attached=["arn:aws:iam::aws:policy/AdministratorAccess"])]),
     expect=[E("admin-equivalent", U("root-ish"))])
case("esc-passrole-lambda", ESC,
     "PassRole + lambda:CreateFunction + lambda:InvokeFunction toward a role that trusts Lambda runs code as that role.",
     snapshot(roles=[ADMIN_ROLE], users=[user("dev", PASS_LAMBDA)]),
     expect=[E("admin-equivalent", R("admin")), E("escalation", U("dev"), target=R("admin"), pathContains="CAN_ESCALATE")])
case("esc-passrole-blocked-by-scp", ESC + "; Organizations: SCP evaluation (every level must allow, an explicit deny anywhere wins)",
     "An SCP at the OU denying iam:PassRole removes the escalation.",
     snapshot(roles=[ADMIN_ROLE], users=[user("dev", PASS_LAMBDA)], scps=[(doc({"Effect": "Deny", "Action": "iam:PassRole", "Resource": "*"}), "ou-corp-work")]),
     expect=[E("admin-equivalent", R("admin"))], absent=[E("escalation", U("dev"))])
case("esc-passrole-boundary", ESC + "; IAM User Guide: Permissions boundaries",
     "A permissions boundary that does not allow iam:PassRole removes the escalation.",
     snapshot(roles=[ADMIN_ROLE], users=[user("dev", PASS_LAMBDA, permissionsBoundary=f"arn:aws:iam::{ACC}:policy/boundary")],
              policies=[{"arn": f"arn:aws:iam::{ACC}:policy/boundary", "name": "boundary", "document": doc(allow(["lambda:*"]))}]),
     absent=[E("escalation", U("dev"))])
case("esc-passrole-wrong-service", ESC,
     "PassRole + EC2 actions cannot use a role that trusts only Lambda.",
     snapshot(roles=[ADMIN_ROLE], users=[user("dev", doc(allow(["iam:PassRole", "ec2:RunInstances"])))]),
     absent=[E("escalation", U("dev"))])
case("esc-assume-admin-role", "IAM User Guide: Granting a user permissions to switch roles",
     "A user allowed sts:AssumeRole on a role whose trust names the account can become it.",
     snapshot(roles=[role("ops-admin", trust({"AWS": f"arn:aws:iam::{ACC}:root"}), attached=["arn:aws:iam::aws:policy/AdministratorAccess"])],
              users=[user("ops", doc(allow("sts:AssumeRole", R("ops-admin"))))]),
     expect=[E("escalation", U("ops"), target=R("ops-admin"), severity="medium")])
case("esc-update-assume-role-policy", ESC,
     "iam:UpdateAssumeRolePolicy on an admin role plus sts:AssumeRole: rewrite its trust, then assume it.",
     snapshot(roles=[role("ops-admin", trust(LAMBDA), attached=["arn:aws:iam::aws:policy/AdministratorAccess"])],
              users=[user("dev", doc(allow(["iam:UpdateAssumeRolePolicy", "sts:AssumeRole"], R("ops-admin"))))]),
     expect=[E("escalation", U("dev"), target=R("ops-admin"), pathContains="UpdateAssumeRolePolicy")])
case("esc-create-access-key", ESC,
     "iam:CreateAccessKey on an admin user gives its credentials.",
     snapshot(users=[user("boss", attached=["arn:aws:iam::aws:policy/AdministratorAccess"]), user("helpdesk", doc(allow("iam:CreateAccessKey", U("boss"))))]),
     expect=[E("escalation", U("helpdesk"), target=U("boss"), pathContains="CreateAccessKey")])
case("esc-create-policy-version", ESC,
     "iam:CreatePolicyVersion on a managed policy attached to oneself: write a new default version with \"*\".",
     snapshot(users=[user("dev", attached=[f"arn:aws:iam::{ACC}:policy/dev"])],
              policies=[{"arn": f"arn:aws:iam::{ACC}:policy/dev", "name": "dev", "document": doc(allow("iam:CreatePolicyVersion", f"arn:aws:iam::{ACC}:policy/dev"))}]),
     expect=[E("admin-equivalent", U("dev"))])
case("esc-workload-runs-as-admin", ESC,
     "A function running as an admin role: whoever runs code in it is admin.",
     snapshot(roles=[ADMIN_ROLE], resources=[fn("job", "admin")]),
     expect=[E("escalation", f"arn:aws:lambda:us-east-1:{ACC}:function:job", target=R("admin"), severity="high"),
             E("blast-radius", f"arn:aws:lambda:us-east-1:{ACC}:function:job", severity="critical")])
case("esc-saml-admin-role", "IAM User Guide: Creating a role for SAML 2.0 federation",
     "Signing in through the company's SAML IdP into an admin role is how admins are meant to get in: reported, at medium.",
     snapshot(providers=[{"arn": SAML, "type": "SAML"}],
              roles=[role("sso-admin", trust({"Federated": SAML}, "sts:AssumeRoleWithSAML", {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}), attached=["arn:aws:iam::aws:policy/AdministratorAccess"])]),
     expect=[E("escalation", SAML, target=R("sso-admin"), severity="medium"), E("external-trust", R("sso-admin"), severity="info")])
case("esc-oidc-admin-role", OIDC_DOC,
     "A CI role with admin rights, pinned to one repository: the repository's workflows are admin.",
     snapshot(providers=[GH_PROVIDER], roles=[role("ci-admin", trust({"Federated": GH}, "sts:AssumeRoleWithWebIdentity", {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com", "token.actions.githubusercontent.com:sub": "repo:acme/infra:ref:refs/heads/main"}}), attached=["arn:aws:iam::aws:policy/AdministratorAccess"])]),
     expect=[E("escalation", GH, target=R("ci-admin"), severity="high", conditionContains="repo:acme/infra")])
# ---------------------------------------------------------------- least privilege
LP = "IAM User Guide: Security best practices — apply least-privilege permissions; IAM Access Analyzer policy checks"
case("lp-s3-star", LP,
     "s3:* on \"*\" is a service-wide wildcard on a data store, and \"*\" resource on actions that can be scoped.",
     snapshot(roles=[role("app", trust(LAMBDA), doc(allow("s3:*")))], resources=[fn("app", "app"), bucket("uploads")]),
     expect=[E("datastore-wildcard", R("app"), severity="high"), E("wildcard-resource", R("app"), severity="medium"),
             E("wildcard-action", R("app"), suggestionContains="arn:aws:s3:::uploads/*")])
case("lp-passrole-any", LP + "; IAM User Guide: Granting a user permissions to pass a role",
     "iam:PassRole on \"*\" lets a holder hand any role to a service.",
     snapshot(roles=[role("deployer", trust(LAMBDA), doc(allow("iam:PassRole")))]),
     expect=[E("passrole-any", R("deployer"), severity="high")])
case("lp-passrole-scoped-service", LP,
     "iam:PassRole on \"*\" limited by iam:PassedToService is still any role, but only to one service.",
     snapshot(roles=[role("deployer", trust(LAMBDA), doc(allow("iam:PassRole", "*", Condition={"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}})))]),
     expect=[E("passrole-any", R("deployer"), severity="medium")])
case("lp-notaction", LP + "; IAM JSON policy elements: NotAction",
     "Allow with NotAction grants everything not listed, including actions added later.",
     snapshot(roles=[role("power", trust(LAMBDA), doc({"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*"}))]),
     expect=[E("wildcard-action", R("power"), severity="high")])
case("lp-list-only", LP + "; Service Authorization Reference (actions without resource types need \"*\")",
     "Actions that support no resource-level permissions must use \"*\": not a finding.",
     snapshot(roles=[role("lister", trust(LAMBDA), doc(allow(["s3:ListAllMyBuckets", "ec2:DescribeInstances"])))]),
     absent=[E("wildcard-resource", R("lister")), E("wildcard-action", R("lister"))])
case("lp-unused", "IAM User Guide: Refining permissions using last accessed information",
     "A granted service not used in 90 days (or never) is an unused grant.",
     snapshot(roles=[role("app", trust(LAMBDA), doc(allow("dynamodb:GetItem", f"arn:aws:dynamodb:us-east-1:{ACC}:table/t"), allow("s3:GetObject", "arn:aws:s3:::b/*")),
                          lastAccessed=[{"service": "dynamodb"}, {"service": "s3", "lastAccessed": "2026-05-30T00:00:00Z"}])]),
     expect=[E("unused-grant", R("app"), target="dynamodb", severity="low")], absent=[E("unused-grant", R("app"), target="s3")])
case("lp-suggestion-from-usage", "IAM User Guide: Refining permissions using last accessed information (action-level for S3)",
     "s3:* on \"*\" with only s3:GetObject used recently → s3:GetObject on the buckets the role reaches.",
     snapshot(roles=[role("app", trust(LAMBDA), doc(allow("s3:*")),
                          lastAccessed=[{"service": "s3", "lastAccessed": "2026-05-30T00:00:00Z", "actions": [{"action": "s3:GetObject", "lastAccessed": "2026-05-30T00:00:00Z"}, {"action": "s3:PutObject"}]}])],
              resources=[fn("app", "app"), bucket("uploads")]),
     expect=[E("wildcard-action", R("app"), suggestionContains='"s3:GetObject"', suggestionExcludes='"s3:*"')])

case("lp-service-wildcard", LP,
     "ec2:* is every EC2 action, present and future: a service-wide wildcard (not a data store).",
     snapshot(roles=[role("ops", trust(LAMBDA), doc(allow("ec2:*")))]),
     expect=[E("wildcard-action", R("ops"), severity="medium", titleContains="every ec2 action")],
     absent=[E("datastore-wildcard", R("ops"))])
os.makedirs(OUT, exist_ok=True)
for f in os.listdir(OUT):
    if f.endswith(".json"): os.remove(os.path.join(OUT, f))
for c in cases:
    with open(os.path.join(OUT, c["name"] + ".json"), "w") as fh:
        json.dump(c, fh, indent=1); fh.write("\n")
print(len(cases), "cases")
