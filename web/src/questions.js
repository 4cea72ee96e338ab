// The standing questions: what each asks the API and how its answer becomes
// a graph (nodes, edges) and a table (rows). Every answer keeps the raw API
// response for the JSON export.
import { edgeKey } from './graphview.js';
import { shortName } from './dom.js';

export const QUESTION_DEFS = {
  reach: { title: 'What can this reach?', needs: ['from'], filters: true },
  reachers: { title: 'Who can reach this?', needs: ['to'], filters: true },
  paths: { title: 'Paths from A to B', needs: ['from', 'to'] },
  external: { title: 'Trusts from outside the organization', findings: ['external-trust', 'external-access'] },
  public: { title: 'Public resources', findings: ['public'] },
  admin: { title: 'Admin-equivalent principals', findings: ['admin-equivalent', 'escalation'] },
  blast: { title: 'Workloads ranked by blast radius', findings: ['blast-radius'] },
  least: {
    title: 'Least-privilege findings',
    findings: ['wildcard-action', 'wildcard-resource', 'passrole-any', 'datastore-wildcard', 'unused-grant', 'confused-deputy'],
  },
  node: { title: 'Neighbours of', needs: ['id'] },
};

const SEVERITY = { critical: 0, high: 1, medium: 2, low: 3, info: 4 };

/** Answer is what every question produces. */
function newAnswer(q, title) {
  return { q, title, nodes: new Map(), edges: new Map(), rows: [], gaps: [], truncated: false, raw: null, origin: null, direction: 'out' };
}

function addNodes(a, nodes) { for (const n of nodes || []) if (n && n.id) a.nodes.set(n.id, n); }
function addEdges(a, edges) { for (const e of edges || []) if (e) a.edges.set(edgeKey(e), e); }

/** fillMissing fetches nodes that edges or paths name but the answer does not carry. */
async function fillMissing(api, a, ids, signal, onProgress) {
  const missing = [...new Set(ids)].filter((id) => id && !a.nodes.has(id)).slice(0, 400);
  let done = 0;
  const worker = async () => {
    while (missing.length) {
      const id = missing.shift();
      try {
        const r = await api.node(id, signal);
        if (r && r.node) a.nodes.set(id, r.node);
      } catch (err) {
        if (err.code === 'aborted' || err.code === 'network') throw err;
        a.nodes.set(id, { id, kind: 'Unknown', name: shortName(id) });
      }
      done++;
      onProgress && onProgress(`loading nodes ${done}`);
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
}

function edgeEndpoints(a) {
  const ids = [];
  for (const e of a.edges.values()) ids.push(e.from, e.to);
  return ids;
}

function pathOf(p) {
  if (!p) return { nodes: [], edges: [] };
  return { nodes: p.nodes || [], edges: (p.edges || []).map(edgeKey), conditions: p.conditions || [] };
}

/** ask runs a question; params are the permalink's parameters. */
export async function ask(api, q, params, ctx) {
  const { signal, onProgress, meta } = ctx;
  const def = QUESTION_DEFS[q];
  const a = newAnswer(q, def.title);
  const filters = {
    maxDepth: params.maxDepth, action: params.action, accessLevel: params.accessLevel,
    resourceType: params.resourceType, excludeConditional: params.excludeConditional === 'true', limit: params.limit,
  };
  if (q === 'reach' || q === 'reachers') {
    const id = q === 'reach' ? params.from : params.to;
    const r = q === 'reach' ? await api.reach(id, filters, signal) : await api.reachers(id, filters, signal);
    a.raw = r;
    a.origin = r.origin || null;
    a.direction = q === 'reach' ? 'out' : 'in';
    if (r.origin) addNodes(a, [r.origin]);
    addNodes(a, r.graph && r.graph.nodes);
    addEdges(a, r.graph && r.graph.edges);
    for (const t of r.targets || []) {
      addNodes(a, [t.node]);
      addEdges(a, t.path && t.path.edges);
    }
    await fillMissing(api, a, edgeEndpoints(a), signal, onProgress);
    a.truncated = !!r.truncated;
    a.gaps = r.gaps || [];
    a.rows = (r.targets || []).map((t, i) => ({
      key: 't' + i, node: t.node, actions: t.actions || [], conditions: t.conditions || [],
      path: pathOf(t.path), focus: t.node && t.node.id,
    }));
  } else if (q === 'paths') {
    const r = await api.paths(params.from, params.to, filters, signal);
    a.raw = r;
    const paths = r.paths || [];
    paths.forEach((p) => addEdges(a, p.edges));
    const ids = [params.from, params.to];
    paths.forEach((p) => ids.push(...(p.nodes || [])));
    await fillMissing(api, a, ids.concat(edgeEndpoints(a)), signal, onProgress);
    a.origin = a.nodes.get(params.from) || null;
    a.rows = paths.map((p, i) => ({ key: 'p' + i, index: i + 1, path: pathOf(p), conditions: p.conditions || [], focus: params.to }));
    a.gaps = gapsFor(meta, a);
  } else if (q === 'node') {
    const r = await api.neighbours(params.id, { direction: 'both', limit: params.limit || 200 }, signal);
    a.raw = r;
    addNodes(a, r.nodes);
    addEdges(a, r.edges);
    await fillMissing(api, a, [params.id].concat(edgeEndpoints(a)), signal, onProgress);
    a.origin = a.nodes.get(params.id) || null;
    a.rows = [...a.edges.values()].map((e, i) => ({ key: 'e' + i, edge: e, focus: e.from === params.id ? e.to : e.from, path: { nodes: [e.from, e.to], edges: [edgeKey(e)] } }));
    a.gaps = gapsFor(meta, a);
  } else {
    const kinds = params.kind ? [params.kind] : def.findings;
    const f = { account: params.account, limit: params.limit };
    const lists = await Promise.all(kinds.map((k) => api.findings([k], f, signal)));
    const seen = new Set();
    const findings = [];
    for (const l of lists) {
      for (const x of l.findings || []) {
        const id = x.id || `${x.kind}|${x.subject}|${x.target}`;
        if (seen.has(id)) continue;
        seen.add(id);
        findings.push(x);
      }
    }
    if (q === 'blast') findings.sort((x, y) => (y.score || 0) - (x.score || 0));
    else findings.sort((x, y) => (SEVERITY[x.severity] ?? 9) - (SEVERITY[y.severity] ?? 9) || (y.score || 0) - (x.score || 0));
    a.raw = { findings };
    const ids = [];
    a.findingEdges = new Map();
    for (const x of findings) {
      if (x.path) { addEdges(a, x.path.edges); ids.push(...(x.path.nodes || [])); }
      else if (x.target && x.subject !== x.target && x.kind !== 'blast-radius') {
        // no recorded path: draw the finding itself as a dotted link so the picture is not a cloud of dots
        const e = { id: 'finding:' + (x.id || a.findingEdges.size), kind: 'FINDING', from: x.subject, to: x.target, technique: x.kind };
        a.edges.set(e.id, e);
        a.findingEdges.set(e.id, x);
      }
      ids.push(x.subject);
      if (x.target && x.kind !== 'blast-radius') ids.push(x.target); // a ranking: the workloads themselves
    }
    await fillMissing(api, a, ids.concat(edgeEndpoints(a)), signal, onProgress);
    a.rows = findings.map((x, i) => ({
      key: 'f' + i, finding: x,
      path: x.path ? pathOf(x.path) : x.kind === 'blast-radius' ? { nodes: [x.subject], edges: [] }
        : { nodes: [x.subject, x.target].filter(Boolean), edges: x.target ? ['finding:' + x.id] : [] },
      focus: x.subject,
    }));
    a.gaps = gapsFor(meta, a);
  }
  return a;
}

/** gapsFor picks the snapshot's collection gaps that touch the answer's accounts (or all accounts). */
function gapsFor(meta, a) {
  const gaps = (meta && meta.gaps) || [];
  if (!gaps.length) return [];
  const accounts = new Set([...a.nodes.values()].map((n) => n.account).filter(Boolean));
  return gaps.filter((g) => !g.account || accounts.has(g.account) || accounts.size === 0);
}

/** actionsText: "s3:GetObject (Read), s3:PutObject (Write, if …)". */
export function actionsText(actions) {
  return (actions || []).map((x) => `${x.action}${x.level ? ' (' + x.level + ')' : ''}${x.condition ? ' if ' + x.condition : ''}`).join('; ');
}

/** pathText names the nodes of a path. */
export function pathText(a, path) {
  return (path.nodes || []).map((id) => (a.nodes.get(id) && a.nodes.get(id).name) || shortName(id)).join(' → ');
}
