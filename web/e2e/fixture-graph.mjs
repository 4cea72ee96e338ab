// A small org for developing the UI without the real server (see fixture.mjs).
const W = '111111111111';
const D = '222222222222';
const S = '333333333333';
const V = '999999999999';
const fn = (name) => ({ id: `arn:aws:lambda:eu-west-1:${W}:function:${name}`, kind: 'Resource', name, type: 'lambda:function', account: W, region: 'eu-west-1' });
const role = (acct, name, props) => ({ id: `arn:aws:iam::${acct}:role/${name}`, kind: 'Role', name, account: acct, props });
const stmt = (sid, action, resource, cond) => ({ Sid: sid, Effect: 'Allow', Action: action, Resource: resource, ...(cond ? { Condition: cond } : {}) });

export function smallGraph() {
  const nodes = [
    { id: `account:${W}`, kind: 'Account', name: 'workloads', account: W },
    { id: `account:${D}`, kind: 'Account', name: 'data', account: D },
    { id: `account:${S}`, kind: 'Account', name: 'security', account: S },
    { id: `account:${V}`, kind: 'Account', name: 'vendor', account: V, props: { external: 'true', vendor: 'ExampleVendor' } },
    fn('orders-api'), fn('reports-job'),
    role(W, 'orders-api-role'), role(W, 'reports-job-role'), role(D, 'data-reader'), role(S, 'audit', { admin: 'true' }),
    { id: `arn:aws:s3:::orders-data-${D}`, kind: 'Resource', name: `orders-data-${D}`, type: 's3:bucket', account: D },
    { id: `arn:aws:dynamodb:eu-west-1:${D}:table/orders`, kind: 'Resource', name: 'orders', type: 'dynamodb:table', account: D, region: 'eu-west-1' },
    { id: `arn:aws:kms:eu-west-1:${D}:key/1234`, kind: 'Resource', name: 'orders-key', type: 'kms:key', account: D, region: 'eu-west-1' },
    { id: `arn:aws:secretsmanager:eu-west-1:${D}:secret:db-password`, kind: 'Resource', name: 'db-password', type: 'secretsmanager:secret', account: D },
    { id: `scope:s3:${W}`, kind: 'Scope', name: `all S3 in ${W}`, account: W },
  ];
  const ev = (pname, idx, s, type = 'identity') => ({ policyType: type, policyId: `arn:aws:iam::${W}:policy/${pname}`, policyName: pname, statementIndex: idx, sid: s.Sid, effect: 'Allow', statement: s });
  const edges = [
    { id: 'e1', kind: 'RUNS_AS', from: fn('orders-api').id, to: role(W, 'orders-api-role').id, evidence: [{ policyType: 'structural', policyId: fn('orders-api').id, policyName: 'function configuration', statementIndex: 0, effect: 'Allow' }] },
    { id: 'e2', kind: 'CAN_ACCESS', from: role(W, 'orders-api-role').id, to: `arn:aws:s3:::orders-data-${D}`, crossAccount: true,
      actions: [{ action: 's3:GetObject', level: 'Read' }, { action: 's3:PutObject', level: 'Write' }],
      evidence: [ev('orders-api-s3', 0, stmt('ReadOrders', ['s3:GetObject', 's3:PutObject'], `arn:aws:s3:::orders-data-${D}/orders/*`)),
        { policyType: 'resource', policyId: `arn:aws:s3:::orders-data-${D}#policy`, policyName: 'bucket policy', statementIndex: 1, sid: 'AllowWorkloads', effect: 'Allow', statement: { Sid: 'AllowWorkloads', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${W}:role/orders-api-role` }, Action: 's3:*', Resource: '*' } },
        { policyType: 'scp', policyId: 'p-full', policyName: 'FullAWSAccess', statementIndex: 0, effect: 'Allow', level: 'root r-abcd' }] },
    { id: 'e3', kind: 'CAN_ACCESS', from: role(W, 'orders-api-role').id, to: `arn:aws:dynamodb:eu-west-1:${D}:table/orders`, crossAccount: true,
      actions: [{ action: 'dynamodb:*', level: 'Mixed' }], evidence: [ev('orders-api-ddb', 0, stmt('AllTables', 'dynamodb:*', '*'))] },
    { id: 'e4', kind: 'CAN_ASSUME', from: role(W, 'orders-api-role').id, to: role(D, 'data-reader').id, crossAccount: true, conditional: true, condition: 'aws:SourceVpce = vpce-0abc',
      evidence: [ev('assume-data', 0, stmt('Assume', 'sts:AssumeRole', role(D, 'data-reader').id)),
        { policyType: 'trust', policyId: role(D, 'data-reader').id + '#trust', policyName: 'trust policy', statementIndex: 0, effect: 'Allow', statement: { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${W}:root` }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:SourceVpce': 'vpce-0abc' } } } }],
      denies: [{ policyType: 'scp', policyId: 'p-deny', policyName: 'DenyOutsideEU', statementIndex: 0, effect: 'Deny', statement: { Effect: 'Deny', NotAction: 'iam:*', Resource: '*', Condition: { StringNotEquals: { 'aws:RequestedRegion': 'eu-west-1' } } } }] },
    { id: 'e5', kind: 'CAN_ACCESS', from: role(D, 'data-reader').id, to: `arn:aws:secretsmanager:eu-west-1:${D}:secret:db-password`, actions: [{ action: 'secretsmanager:GetSecretValue', level: 'Read' }], evidence: [ev('reader', 0, stmt('Secret', 'secretsmanager:GetSecretValue', '*'))] },
    { id: 'e6', kind: 'CAN_ACCESS', from: role(D, 'data-reader').id, to: `arn:aws:kms:eu-west-1:${D}:key/1234`, actions: [{ action: 'kms:Decrypt', level: 'Write' }], evidence: [ev('reader', 1, stmt('Key', 'kms:Decrypt', '*'))] },
    { id: 'e7', kind: 'RUNS_AS', from: fn('reports-job').id, to: role(W, 'reports-job-role').id },
    { id: 'e8', kind: 'CAN_ACCESS', from: role(W, 'reports-job-role').id, to: `scope:s3:${W}`, actions: [{ action: 's3:*', level: 'Mixed' }], evidence: [ev('reports', 0, stmt('S3Star', 's3:*', '*'))] },
    { id: 'e9', kind: 'CAN_ASSUME', from: `account:${V}`, to: role(S, 'audit').id, crossAccount: true, conditional: true, condition: 'sts:ExternalId = vendor-123' },
    { id: 'e10', kind: 'IN_ACCOUNT', from: role(W, 'orders-api-role').id, to: `account:${W}` },
  ];
  const findings = [
    { id: 'f1', kind: 'external-trust', severity: 'high', title: 'audit is trusted by vendor account 999999999999', subject: role(S, 'audit').id, target: `account:${V}`, account: S, condition: 'sts:ExternalId = vendor-123', path: { nodes: [`account:${V}`, role(S, 'audit').id], edges: [edges[8]] } },
    { id: 'f2', kind: 'datastore-wildcard', severity: 'medium', title: 'orders-api-role: dynamodb:* on all tables', subject: role(W, 'orders-api-role').id, account: W },
    { id: 'f3', kind: 'blast-radius', severity: 'info', title: 'orders-api reaches 4 resources', subject: fn('orders-api').id, account: W, score: 40 },
    { id: 'f4', kind: 'blast-radius', severity: 'info', title: 'reports-job reaches 1 scope', subject: fn('reports-job').id, account: W, score: 25 },
  ];
  const meta = { source: 'fixture', generatedAt: '2026-12-01T10:00:00Z', complete: false, accounts: 3, nodes: nodes.length, edges: edges.length,
    gaps: [{ account: D, region: 'us-east-1', service: 'sqs', operation: 'ListQueues', code: 'AccessDenied', error: 'not authorized' }] };
  return { meta, nodes, edges, findings };
}
