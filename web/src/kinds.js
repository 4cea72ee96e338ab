// How each kind of node and edge looks: one table used by the graph style,
// the legend and the exports, so they always agree.

/** NODE_STYLES maps a visual key to its shape, colour and legend label. */
export const NODE_STYLES = {
  function: { label: 'Function / workload', shape: 'round-triangle', color: '#e8780c' },
  role: { label: 'Role', shape: 'round-hexagon', color: '#7b5cd6' },
  user: { label: 'User', shape: 'ellipse', color: '#2f7ed8' },
  group: { label: 'Group', shape: 'round-pentagon', color: '#3aa0c8' },
  bucket: { label: 'S3 bucket', shape: 'barrel', color: '#2f9e44' },
  key: { label: 'KMS key', shape: 'round-diamond', color: '#c49a00' },
  table: { label: 'DynamoDB table', shape: 'cut-rectangle', color: '#3b5bdb' },
  queue: { label: 'SQS queue', shape: 'round-tag', color: '#d6336c' },
  topic: { label: 'SNS topic', shape: 'rhomboid', color: '#e8590c' },
  secret: { label: 'Secret', shape: 'octagon', color: '#a61e4d' },
  resource: { label: 'Other resource', shape: 'round-rectangle', color: '#6c7a89' },
  scope: { label: 'Scope (all of a service)', shape: 'concave-hexagon', color: '#2b8a3e' },
  pattern: { label: 'Resource pattern', shape: 'rectangle', color: '#845ef7' },
  account: { label: 'Account', shape: 'round-rectangle', color: '#5c6b7a' },
  external: { label: 'External account', shape: 'round-rectangle', color: '#e03131' },
  idp: { label: 'Identity provider', shape: 'star', color: '#9c36b5' },
  service: { label: 'Service principal', shape: 'diamond', color: '#0c8599' },
  anonymous: { label: 'Anyone (public)', shape: 'star', color: '#c92a2a' },
  policy: { label: 'Policy', shape: 'rectangle', color: '#8c99a6' },
  ou: { label: 'Organizational unit', shape: 'tag', color: '#868e96' },
  unknown: { label: 'Not loaded', shape: 'ellipse', color: '#adb5bd' },
};

const WORKLOAD_TYPES = new Set(['lambda:function', 'ec2:instance', 'ecs:task-definition', 'ecs:task', 'codebuild:project',
  'glue:job', 'sagemaker:notebook-instance', 'states:stateMachine', 'apigateway:restapi', 'apigateway:api']);

const RESOURCE_TYPES = {
  's3:bucket': 'bucket', 's3:object': 'bucket', 'kms:key': 'key', 'dynamodb:table': 'table', 'sqs:queue': 'queue',
  'sns:topic': 'topic', 'secretsmanager:secret': 'secret', 'ssm:parameter': 'secret',
};

/** visualKey says which NODE_STYLES entry draws a node. */
export function visualKey(n) {
  if (!n) return 'unknown';
  const props = n.props || {};
  switch (n.kind) {
    case 'Account': return props.external === 'true' ? 'external' : 'account';
    case 'OrgUnit': return 'ou';
    case 'User': return 'user';
    case 'Group': return 'group';
    case 'Role': return 'role';
    case 'ServicePrincipal': return 'service';
    case 'IdentityProvider': return 'idp';
    case 'Anonymous': return 'anonymous';
    case 'Policy': return 'policy';
    case 'Scope': return 'scope';
    case 'Pattern': return 'pattern';
    case 'Resource':
      if (WORKLOAD_TYPES.has(n.type)) return 'function';
      return RESOURCE_TYPES[n.type] || 'resource';
    default: return 'unknown';
  }
}

/** isWorkload: a resource that runs as a role (reach is its natural question). */
export function isWorkload(n) {
  return n && n.kind === 'Resource' && WORKLOAD_TYPES.has(n.type);
}

/** isPrincipal: something that acts (reach is its natural question). */
export function isPrincipal(n) {
  return n && ['User', 'Group', 'Role', 'ServicePrincipal', 'IdentityProvider', 'Anonymous'].includes(n.kind) ||
    (n && n.kind === 'Account' && n.props && n.props.external === 'true');
}

/** EDGE_STYLES: colour and legend label per edge kind; structural edges are thin and grey. */
export const EDGE_STYLES = {
  RUNS_AS: { label: 'runs as', color: '#e8780c', width: 2.5 },
  CAN_ASSUME: { label: 'can assume', color: '#7b5cd6', width: 2.5 },
  CAN_ESCALATE: { label: 'can escalate to', color: '#e03131', width: 3.5 },
  CAN_ACCESS: { label: 'can access', color: '#2f9e44', width: 2 },
  CAN_INVOKE: { label: 'can invoke', color: '#1c7ed6', width: 2 },
  TRIGGERS: { label: 'triggers', color: '#f59f00', width: 2 },
  MEMBER_OF: { label: 'member of', color: '#98a4b0', width: 1.2 },
  HAS_POLICY: { label: 'has policy', color: '#98a4b0', width: 1.2 },
  HAS_BOUNDARY: { label: 'has boundary', color: '#b08968', width: 1.2 },
  IN_ACCOUNT: { label: 'in account', color: '#98a4b0', width: 1 },
  CHILD_OF: { label: 'child of', color: '#98a4b0', width: 1 },
  COVERS: { label: 'covers', color: '#845ef7', width: 1.2 },
  FINDING: { label: 'finding (no path recorded)', color: '#868e96', width: 1.5 },
};

export const CROSS_ACCOUNT_COLOR = '#d6336c';
