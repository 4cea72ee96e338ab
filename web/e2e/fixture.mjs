// A tiny stand-in for `iamreach demo`, used only while developing the UI
// (IAMREACH_FIXTURE=1) and by the benchmark, which serves a generated answer
// of thousands of nodes. The tests that prove the UI run against the real
// binary (harness.mjs). Serves web/dist under the same CSP as the API.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

export const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; font-src 'self' data:; " +
  "connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png', '.json': 'application/json' };

/** serveStatic answers a request from dir (index.html for client routes). */
export function serveStatic(dir, req, res) {
  const u = new URL(req.url, 'http://x');
  let p = path.normalize(decodeURIComponent(u.pathname)).replace(/^(\.\.[/\\])+/, '');
  if (p === '/' || !path.extname(p)) p = '/index.html';
  const file = path.join(dir, p);
  if (!file.startsWith(dir) || !fs.existsSync(file)) {
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end('not found');
    return;
  }
  res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream', 'Content-Security-Policy': CSP });
  fs.createReadStream(file).pipe(res);
}

function sendJSON(res, status, body) {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Security-Policy': CSP });
  res.end(JSON.stringify(body));
}

/** reachOver computes a reach answer over a graph (BFS on identity edges, then access edges). */
export function reachOver(g, from, reverse) {
  const ident = new Set(['RUNS_AS', 'CAN_ASSUME', 'CAN_ESCALATE']);
  const byId = new Map(g.nodes.map((n) => [n.id, n]));
  if (!byId.has(from)) return null;
  const out = new Map();
  for (const e of g.edges) {
    const k = reverse ? e.to : e.from;
    if (!out.has(k)) out.set(k, []);
    out.get(k).push(e);
  }
  const prev = new Map([[from, null]]);
  let frontier = [from];
  const targets = [];
  const nodes = new Map([[from, byId.get(from)]]);
  const edges = new Map();
  while (frontier.length) {
    const next = [];
    for (const id of frontier) {
      for (const e of out.get(id) || []) {
        const other = reverse ? e.from : e.to;
        if (ident.has(e.kind) && !prev.has(other)) { prev.set(other, e); next.push(other); }
        if (e.kind === 'CAN_ACCESS' || e.kind === 'CAN_INVOKE') {
          const pathEdges = [e];
          let cur = id;
          while (prev.get(cur)) { pathEdges.unshift(prev.get(cur)); cur = reverse ? prev.get(cur).to : prev.get(cur).from; }
          if (reverse) pathEdges.reverse();
          const pathNodes = reverse ? [other, ...pathEdges.map((x) => x.to)] : [from, ...pathEdges.map((x) => x.to)];
          pathEdges.forEach((x) => { edges.set(x.id, x); nodes.set(x.from, byId.get(x.from)); nodes.set(x.to, byId.get(x.to)); });
          const conds = pathEdges.filter((x) => x.condition).map((x) => x.condition);
          targets.push({ node: byId.get(other), actions: e.actions || [], path: { nodes: pathNodes, edges: pathEdges, conditions: conds }, conditions: conds });
        }
      }
    }
    frontier = next;
  }
  for (const [id, e] of prev) if (e) { edges.set(e.id, e); nodes.set(e.from, byId.get(e.from)); nodes.set(id, byId.get(id)); }
  return { origin: byId.get(from), targets, graph: { nodes: [...nodes.values()].filter(Boolean), edges: [...edges.values()] } };
}

/** startFixture serves dist and a fixture API built from graph g; returns {url, close}. */
export function startFixture(distDir, g, opts = {}) {
  const byId = new Map(g.nodes.map((n) => [n.id, n]));
  const server = http.createServer((req, res) => {
    const u = new URL(req.url, 'http://x');
    if (!u.pathname.startsWith('/api/v1')) return serveStatic(distDir, req, res);
    const p = u.searchParams;
    const route = u.pathname.slice('/api/v1'.length);
    const notFound = (id) => sendJSON(res, 404, { error: { code: 'not_found', message: `no node with ID "${id}"` } });
    const answer = () => {
      switch (route) {
        case '/health': return sendJSON(res, 200, { status: 'ok', store: 'memory' });
        case '/meta': return sendJSON(res, 200, g.meta);
        case '/openapi.json': return sendJSON(res, 200, { openapi: '3.0.3', paths: { '/health': {}, '/reach': {} } });
        case '/search': {
          const q = (p.get('q') || '').toLowerCase();
          const r = g.nodes.filter((n) => n.id.toLowerCase().includes(q) || (n.name || '').toLowerCase().includes(q)).slice(0, Number(p.get('limit') || 20));
          return sendJSON(res, 200, { results: r });
        }
        case '/node': return byId.has(p.get('id')) ? sendJSON(res, 200, { node: byId.get(p.get('id')) }) : notFound(p.get('id'));
        case '/neighbours': {
          const id = p.get('id');
          if (!byId.has(id)) return notFound(id);
          const es = g.edges.filter((e) => e.from === id || e.to === id);
          const ns = new Set([id]);
          es.forEach((e) => { ns.add(e.from); ns.add(e.to); });
          return sendJSON(res, 200, { nodes: [...ns].map((x) => byId.get(x)), edges: es });
        }
        case '/reach': case '/reachers': {
          const id = p.get(route === '/reach' ? 'from' : 'to');
          const r = opts.reach ? opts.reach(id) : reachOver(g, id, route === '/reachers');
          return r ? sendJSON(res, 200, r) : notFound(id);
        }
        case '/paths': {
          const r = reachOver(g, p.get('from'), false);
          if (!r) return notFound(p.get('from'));
          return sendJSON(res, 200, { paths: r.targets.filter((t) => t.node.id === p.get('to')).map((t) => t.path) });
        }
        case '/findings': {
          const kinds = p.getAll('kind');
          return sendJSON(res, 200, { findings: (g.findings || []).filter((f) => !kinds.length || kinds.includes(f.kind)) });
        }
        default: return sendJSON(res, 404, { error: { code: 'not_found', message: 'no such API route' } });
      }
    };
    if (opts.delayMs) setTimeout(answer, opts.delayMs); else answer();
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const url = `http://127.0.0.1:${server.address().port}`;
      resolve({ url, close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }) });
    });
  });
}

/** startProxy serves distDir and forwards /api/ to a running iamreach (development only). */
export function startProxy(distDir, apiBase, override) {
  const server = http.createServer((req, res) => {
    if (!req.url.startsWith('/api/')) return serveStatic(distDir, req, res);
    const body = override && override(new URL(req.url, 'http://x'));
    if (body) {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), 'Content-Security-Policy': CSP });
      res.end(body);
      return;
    }
    const u = new URL(req.url, apiBase);
    const up = http.request(u, { method: req.method, headers: { ...req.headers, host: u.host } }, (r) => {
      res.writeHead(r.statusCode, r.headers);
      r.pipe(res);
    });
    up.on('error', (err) => sendJSON(res, 502, { error: { code: 'unavailable', message: String(err.message) } }));
    req.pipe(up);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const url = `http://127.0.0.1:${server.address().port}`;
      resolve({ url, close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }) });
    });
  });
}
