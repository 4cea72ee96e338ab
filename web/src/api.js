// The UI talks only to the public /api/v1 (documented in /api/v1/openapi.json).

/** ApiError carries the API's {"error":{code,message}} or a network failure. */
export class ApiError extends Error {
  constructor(code, message, status) {
    super(message);
    this.name = 'ApiError';
    this.code = code; // bad_request, not_found, … or "network", "aborted"
    this.status = status || 0;
  }
}

/** Api is a thin client; base is '/api/v1' unless a test says otherwise. */
export class Api {
  constructor(base = '/api/v1') {
    this.base = base;
    this.token = '';
    try { this.token = sessionStorage.getItem('iamreach.token') || ''; } catch { /* storage off */ }
  }

  /** setToken keeps a bearer token for servers started with a token (this tab only). */
  setToken(t) {
    this.token = t;
    try { sessionStorage.setItem('iamreach.token', t); } catch { /* storage off */ }
  }

  url(path, params) {
    const u = new URL(this.base + path, window.location.origin);
    for (const [k, v] of Object.entries(params || {})) {
      if (v === undefined || v === null || v === '' || v === false) continue;
      if (Array.isArray(v)) v.forEach((x) => u.searchParams.append(k, x));
      else u.searchParams.set(k, String(v));
    }
    return u.pathname + u.search;
  }

  async get(path, params, signal) {
    let res;
    try {
      const headers = { Accept: 'application/json' };
      if (this.token) headers.Authorization = 'Bearer ' + this.token;
      res = await fetch(this.url(path, params), { signal, headers });
    } catch (err) {
      if (err && err.name === 'AbortError') throw new ApiError('aborted', 'cancelled', 0);
      throw new ApiError('network', 'cannot reach the iamreach server (' + (err && err.message ? err.message : err) + ')', 0);
    }
    let body = null;
    const text = await res.text().catch(() => '');
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = null;
    }
    if (!res.ok) {
      const e = body && body.error;
      throw new ApiError(e && e.code ? e.code : 'http_' + res.status,
        e && e.message ? e.message : `HTTP ${res.status} from ${path}`, res.status);
    }
    if (body === null) throw new ApiError('internal', `invalid JSON from ${path}`, res.status);
    return body;
  }

  health(signal) { return this.get('/health', null, signal); }
  meta(signal) { return this.get('/meta', null, signal); }
  openapi(signal) { return this.get('/openapi.json', null, signal); }
  search(q, kinds, limit, signal) { return this.get('/search', { q, kind: kinds, limit }, signal); }
  node(id, signal) { return this.get('/node', { id }, signal); }
  neighbours(id, opts, signal) { return this.get('/neighbours', { id, ...opts }, signal); }
  reach(from, f, signal) { return this.get('/reach', { from, ...filterParams(f) }, signal); }
  reachers(to, f, signal) { return this.get('/reachers', { to, ...filterParams(f) }, signal); }
  paths(from, to, f, signal) { return this.get('/paths', { from, to, maxDepth: f.maxDepth, limit: f.limit }, signal); }
  findings(kinds, f, signal) { return this.get('/findings', { kind: kinds, account: f.account, subject: f.subject, limit: f.limit }, signal); }
  whynot(from, to, action, signal) { return this.get('/whynot', { from, to, action }, signal); }
}

function filterParams(f) {
  return {
    maxDepth: f.maxDepth,
    action: f.action,
    accessLevel: f.accessLevel,
    resourceType: f.resourceType,
    excludeConditional: f.excludeConditional ? 'true' : undefined,
    limit: f.limit,
  };
}
