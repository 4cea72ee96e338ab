// iamreach explorer: wires search, the standing questions, the graph, the
// table, the side panel, permalinks and exports together.
import './app.css';
import { h, fill, $, $$, debounce, shortName, download } from './dom.js';
import { Api } from './api.js';
import { parse, format } from './state.js';
import { GraphView, edgeKey } from './graphview.js';
import { QUESTION_DEFS, ask } from './questions.js';
import { renderTable, csvFor } from './table.js';
import { Panel } from './panel.js';
import { NODE_STYLES, EDGE_STYLES, CROSS_ACCOUNT_COLOR, visualKey, isWorkload, isPrincipal } from './kinds.js';
import { entryFor, reportHTML } from './report.js';

const VIEW_KEYS = ['view', 'layout', 'group', 'hide', 'sel', 'focus'];
const ACCESS_LEVELS = ['', 'List', 'Read', 'Write', 'Permissions management', 'Tagging'];

class App {
  constructor() {
    this.api = new Api();
    this.meta = null;
    this.state = parse(location.hash);
    this.answer = null;
    this.runKey = null;
    this.abort = null;
    this.report = [];
    this.nodeCache = new Map();
    this.selectedRow = null;
    this.hasWhyNot = false;
    this.graph = new GraphView($('#cy'), {
      onSelect: (sel) => this.onGraphSelect(sel),
      onReady: () => this.afterLayout(),
    });
    this.panel = new Panel($('#panel'), {
      ask: (q, p) => this.go(q, p),
      expand: (id) => this.expand(id),
      collapse: (id) => this.collapse(id),
      focusPath: (id) => this.focusNode(id),
      pathFrom: (id) => this.go('paths', { from: id, to: this.state.q === 'paths' ? this.state.params.to : '' }),
      pathTo: (id) => this.go('paths', { from: this.state.q === 'paths' ? this.state.params.from : '', to: id }),
      selectNode: (id) => this.selectElement(id),
      whynot: (from, to, action) => this.api.whynot(from, to, action),
      close: () => this.clearSelection(),
    });
    window.__iamreach = this; // for the browser tests: graph state and the Cytoscape instance
  }

  start() {
    this.initTheme();
    this.initSearch();
    this.initControls();
    this.initKeyboard();
    window.addEventListener('hashchange', () => this.onHash());
    this.loadMeta();
    setInterval(() => this.checkHealth(), 15000);
    this.accountNames = new Map();
    this.accountsLoaded = this.api.search('', ['Account'], 200).then((r) => {
      for (const n of r.results || []) if (n.account && n.name && n.name !== n.account) this.accountNames.set(n.account, n.name);
    }).catch(() => {});
    this.api.openapi().then((doc) => {
      this.hasWhyNot = !!(doc && doc.paths && (doc.paths['/whynot'] || doc.paths['/api/v1/whynot']));
    }).catch(() => {});
    this.onHash();
  }

  // ---------- theme ----------
  initTheme() {
    let theme = null;
    try { theme = localStorage.getItem('iamreach.theme'); } catch { /* private mode */ }
    if (!theme) theme = window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
    this.setTheme(theme);
    $('#theme').addEventListener('click', () => this.setTheme(this.theme === 'dark' ? 'light' : 'dark'));
  }

  setTheme(theme) {
    this.theme = theme;
    document.documentElement.dataset.theme = theme;
    $('#theme').textContent = theme === 'dark' ? 'Light' : 'Dark';
    try { localStorage.setItem('iamreach.theme', theme); } catch { /* ignore */ }
    this.graph.setTheme(theme);
  }

  // ---------- snapshot meta / health ----------
  async loadMeta() {
    const bar = $('#snapshot');
    try {
      this.meta = await this.api.meta();
      this.drawMeta();
    } catch (err) {
      fill(bar, h('span', { class: 'offline' }, 'Snapshot information unavailable: ' + err.message));
    }
  }

  drawMeta(offline) {
    const m = this.meta;
    const bar = $('#snapshot');
    if (!m) return;
    const gaps = m.gaps || [];
    const gapBtn = gaps.length
      ? h('button', { type: 'button', class: 'link warn', id: 'meta-gaps', onclick: () => this.showGaps(gaps, 'Collection gaps of this snapshot') }, `⚠ incomplete: ${gaps.length} collection gap${gaps.length > 1 ? 's' : ''}`)
      : h('span', { class: m.complete === false ? 'warn' : 'okc' }, m.complete === false ? 'incomplete collection' : 'complete collection');
    fill(bar, 'Snapshot ', h('b', { id: 'meta-source' }, m.source || '(unnamed)'), ' · taken ', h('span', { id: 'meta-time' }, m.generatedAt || '?'),
      ` · ${m.accounts ?? '?'} accounts · ${(m.nodes ?? 0).toLocaleString()} nodes · ${(m.edges ?? 0).toLocaleString()} edges · `, gapBtn,
      offline ? h('span', { class: 'offline', id: 'offline' }, ' · server unreachable') : null);
  }

  async checkHealth() {
    try {
      const r = await this.api.health();
      this.drawMeta(r.status !== 'ok');
      if (!this.meta) this.loadMeta();
    } catch {
      this.drawMeta(true);
      if (!this.meta) fill($('#snapshot'), h('span', { class: 'offline', id: 'offline' }, 'server unreachable'));
    }
  }

  showGaps(gaps, title) {
    this.panel.aside.hidden = false;
    this.panel.aside.dataset.showing = 'gaps';
    fill(this.panel.title, title);
    fill(this.panel.body, h('ul', null, gaps.map((g) => h('li', null, gapText(g)))));
  }

  // ---------- navigation ----------
  /** go asks a new question (a new history entry). */
  go(q, params) {
    const keep = {};
    for (const k of VIEW_KEYS) if (this.state.params[k] && !['sel', 'focus'].includes(k)) keep[k] = this.state.params[k];
    const next = { q, params: { ...keep, ...clean(params) } };
    const hash = format(next);
    if (hash === location.hash) this.onHash(true);
    else location.hash = hash;
  }

  /** setView changes only the view part of the URL (no new question). */
  setView(changes) {
    Object.assign(this.state.params, changes);
    for (const [k, v] of Object.entries(changes)) if (v === '' || v === null || v === undefined) delete this.state.params[k];
    history.replaceState(null, '', format(this.state));
  }

  onHash(force) {
    this.state = parse(location.hash);
    const qp = { ...this.state.params };
    for (const k of VIEW_KEYS) delete qp[k];
    const key = this.state.q + JSON.stringify(qp);
    if (this.state.q) $('#question').value = this.state.q;
    this.applyViewParams();
    this.drawAskbar();
    if (!force && key === this.runKey && this.answer) {
      this.restoreSelection();
      return;
    }
    this.runKey = key;
    this.run();
  }

  applyViewParams() {
    const p = this.state.params;
    this.showView(p.view === 'table' ? 'table' : 'graph', false);
    $('#layout').value = p.layout || 'auto';
    this.graph.setLayout(p.layout || 'auto');
    $('#group-accounts').checked = p.group !== 'off';
    this.graph.group = p.group !== 'off';
    this.graph.hiddenKinds = new Set((p.hide || '').split(',').filter(Boolean));
    this.graph.applyHidden();
  }

  // ---------- the ask bar ----------
  drawAskbar() {
    const bar = $('#askbar');
    const q = this.state.q;
    const p = this.state.params;
    if (!q) {
      fill(bar, h('span', { class: 'hint' }, 'Search a function, role or resource above, or pick a standing question.'));
      return;
    }
    const def = QUESTION_DEFS[q];
    const chip = (slot, id) => id
      ? h('span', { class: 'chip', 'data-slot': slot, title: id }, h('span', null, this.nameOf(id)),
        h('button', { type: 'button', class: 'link', 'aria-label': 'clear ' + slot, onclick: () => this.go(q, { ...this.questionParams(), [slot]: '' }) }, '×'))
      : h('span', { class: 'hint', 'data-slot': slot }, slot === 'to' && q === 'paths' ? 'search a target…' : 'search to pick…');
    const parts = [h('span', { class: 'title' }, def.title)];
    if (def.needs) {
      for (const slot of def.needs) parts.push(h('span', { class: 'pick' }, h('span', { class: 'hint' }, { from: 'from', to: q === 'paths' ? 'to' : 'target', id: 'node' }[slot]), chip(slot, p[slot])));
    }
    if (def.filters) {
      const depth = h('input', { type: 'number', min: 1, max: 12, id: 'f-depth', value: p.maxDepth || '', placeholder: '6', 'aria-label': 'Maximum hops' });
      const level = h('select', { id: 'f-level', 'aria-label': 'Access level' }, ACCESS_LEVELS.map((l) => h('option', { value: l, selected: (p.accessLevel || '') === l }, l || 'any access level')));
      const action = h('input', { type: 'text', id: 'f-action', value: p.action || '', placeholder: 'action, e.g. s3:Get*', 'aria-label': 'Action filter', size: 11 });
      const rtype = h('input', { type: 'text', id: 'f-rtype', value: p.resourceType || '', placeholder: 'type: s3:bucket', 'aria-label': 'Resource type filter', size: 10 });
      const excl = h('input', { type: 'checkbox', id: 'f-excl', checked: p.excludeConditional === 'true' });
      const apply = () => this.go(q, {
        ...this.questionParams(), maxDepth: depth.value, accessLevel: level.value, action: action.value.trim(),
        resourceType: rtype.value.trim(), excludeConditional: excl.checked ? 'true' : '',
      });
      [depth, action, rtype].forEach((el) => el.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') apply(); }));
      level.addEventListener('change', apply);
      excl.addEventListener('change', apply);
      parts.push(h('label', { class: 'pick' }, 'hops ≤', depth), level, action, rtype,
        h('label', { class: 'pick' }, excl, 'unconditional only'), h('button', { type: 'button', onclick: apply }, 'Apply'));
    }
    if (def.findings) {
      const kind = h('select', { id: 'f-kind', 'aria-label': 'Finding kind' },
        h('option', { value: '' }, 'all kinds'), def.findings.map((k) => h('option', { value: k, selected: p.kind === k }, k)));
      const acct = h('input', { type: 'text', id: 'f-account', value: p.account || '', placeholder: 'account id', size: 14, 'aria-label': 'Account filter' });
      const apply = () => this.go(q, { kind: kind.value, account: acct.value.trim() });
      kind.addEventListener('change', apply);
      acct.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') apply(); });
      parts.push(kind, acct);
    }
    fill(bar, parts);
  }

  questionParams() {
    const out = {};
    for (const [k, v] of Object.entries(this.state.params)) if (!VIEW_KEYS.includes(k)) out[k] = v;
    return out;
  }

  nameOf(id) {
    const n = (this.answer && this.answer.nodes.get(id)) || this.nodeCache.get(id);
    if (n) return `${n.name || shortName(id)} · ${n.type || n.kind}`;
    this.fetchName(id);
    return shortName(id);
  }

  async fetchName(id) {
    if (this.nodeCache.has(id)) return;
    this.nodeCache.set(id, null);
    try {
      const r = await this.api.node(id);
      this.nodeCache.set(id, r.node);
      this.drawAskbar();
    } catch { /* keep the short name */ }
  }

  // ---------- running a question ----------
  async run() {
    const q = this.state.q;
    const p = this.state.params;
    if (this.abort) this.abort.abort();
    this.abort = null;
    if (!q) {
      this.answer = null;
      this.clearAnswer();
      this.showState('empty', 'Ask iamreach who can reach what',
        'Type part of a function\'s name in the search box (press /), pick it, and see what it can reach. Or pick a standing question:',
        h('div', { class: 'actions' }, ['external', 'public', 'admin', 'blast', 'least'].map((k) =>
          h('button', { type: 'button', onclick: () => this.go(k, {}) }, QUESTION_DEFS[k].title))));
      return;
    }
    const def = QUESTION_DEFS[q];
    const missing = (def.needs || []).filter((k) => !p[k]);
    if (missing.length) {
      this.answer = null;
      this.clearAnswer();
      this.showState('empty', def.title, q === 'paths'
        ? 'Pick the start and the end of the path with the search box: the first pick is the start, the second the end.'
        : 'Pick a ' + (q === 'reach' ? 'function, role or user' : 'resource or role') + ' with the search box (press /).');
      $('#search').focus();
      return;
    }
    const ctrl = new AbortController();
    this.abort = ctrl;
    const t0 = performance.now();
    let progress = '';
    const msg = h('p', { id: 'progress' }, 'Asking the server…');
    this.showState('loading', def.title, null, h('div', { class: 'spinner', 'aria-hidden': 'true' }), msg,
      h('button', { type: 'button', id: 'cancel', onclick: () => this.cancel() }, 'Cancel (Esc)'));
    const tick = setInterval(() => { msg.textContent = `Asking the server… ${((performance.now() - t0) / 1000).toFixed(1)} s ${progress}`; }, 200);
    try {
      await this.accountsLoaded;
      const a = await ask(this.api, q, p, { signal: ctrl.signal, meta: this.meta, onProgress: (s) => { progress = '· ' + s; } });
      if (ctrl.signal.aborted) return;
      this.answer = a;
      a.elapsedMs = performance.now() - t0;
      a.paramsText = this.paramsText(q, p);
      const td = performance.now();
      this.drawAnswer();
      this.drawAnswerMs = performance.now() - td;
    } catch (err) {
      if (this.abort !== ctrl) return;
      this.answer = null;
      this.clearAnswer();
      if (err.code === 'aborted') {
        this.showState('cancelled', 'Cancelled', 'The question was cancelled before the server answered.',
          h('button', { type: 'button', class: 'primary', onclick: () => this.onHash(true) }, 'Ask again'));
      } else if (err.code === 'unauthorized') {
        const input = h('input', { type: 'password', id: 'token', 'aria-label': 'API token', placeholder: 'token' });
        const use = () => { this.api.setToken(input.value.trim()); this.loadMeta(); this.onHash(true); };
        input.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') use(); });
        this.showState('error', 'This server needs a token', err.message, h('div', { class: 'actions' }, input,
          h('button', { type: 'button', class: 'primary', onclick: use }, 'Use token')));
      } else {
        if (err.code === 'network') this.drawMeta(true);
        const title = err.code === 'network' ? 'Cannot reach the iamreach server'
          : err.code === 'not_found' ? 'Not found' : err.code === 'unavailable' ? 'The graph store is unavailable' : 'The server could not answer';
        this.showState('error', title, `${err.message}${err.status ? ` (HTTP ${err.status}, ${err.code})` : ''}`,
          h('button', { type: 'button', class: 'primary', id: 'retry', onclick: () => this.onHash(true) }, 'Retry'));
      }
    } finally {
      clearInterval(tick);
      if (this.abort === ctrl) this.abort = null;
    }
  }

  cancel() {
    if (this.abort) this.abort.abort();
  }

  paramsText(q, p) {
    const parts = [];
    if (p.from) parts.push('from ' + this.plainName(p.from));
    if (p.to) parts.push('to ' + this.plainName(p.to));
    if (p.id) parts.push('of ' + this.plainName(p.id));
    if (p.kind) parts.push('kind ' + p.kind);
    if (p.account) parts.push('account ' + p.account);
    for (const k of ['maxDepth', 'accessLevel', 'action', 'resourceType']) if (p[k]) parts.push(`${k}=${p[k]}`);
    if (p.excludeConditional === 'true') parts.push('unconditional only');
    return parts.join(', ');
  }

  plainName(id) {
    const n = (this.answer && this.answer.nodes.get(id)) || this.nodeCache.get(id);
    return n ? `${n.name} (${id})` : id;
  }

  clearAnswer() {
    this.graph.destroy();
    fill($('#table-view'));
    fill($('#legend'));
    fill($('#summary'));
    $('#gaps').hidden = true;
    this.panel.hide();
    document.body.dataset.graphState = 'none';
  }

  showState(kind, title, text, ...extra) {
    const st = $('#state');
    st.hidden = false;
    st.dataset.state = kind;
    document.body.dataset.state = kind;
    fill(st, h('div', { class: 'box ' + kind, role: kind === 'error' ? 'alert' : 'status' }, h('h2', null, title), text ? h('p', null, text) : null, ...extra));
    if (kind !== 'loading') this.settled();
  }

  hideState() {
    const st = $('#state');
    st.hidden = true;
    st.dataset.state = '';
    document.body.dataset.state = 'answer';
  }

  drawAnswer() {
    const a = this.answer;
    this.hideState();
    this.panel.hide();
    const n = a.rows.length;
    const unit = { reach: 'reached', reachers: 'can reach it', paths: 'paths', node: 'edges' }[a.q] || 'findings';
    fill($('#summary'), h('b', { id: 'answer-count' }, String(n)), ` ${unit} · ${a.nodes.size} nodes · ${a.edges.size} edges · ${Math.round(a.elapsedMs)} ms`,
      a.truncated ? h('span', { class: 'cond', id: 'truncated' }, ' truncated: raise the limit or narrow the question') : null);
    const gaps = $('#gaps');
    if (a.gaps.length) {
      gaps.hidden = false;
      fill(gaps, h('b', null, `This answer may be incomplete: ${a.gaps.length} collection gap${a.gaps.length > 1 ? 's' : ''} could change it.`),
        h('ul', null, a.gaps.slice(0, 6).map((g) => h('li', null, gapText(g)))), a.gaps.length > 6 ? `… and ${a.gaps.length - 6} more` : null);
    } else {
      gaps.hidden = true;
    }
    this.drawTable();
    if (n === 0 && a.nodes.size <= 1) {
      const what = { reach: 'It reaches nothing with these filters.', reachers: 'Nothing can reach it with these filters.', paths: 'No path within the hop limit.' }[a.q] || 'No findings of this kind.';
      this.showState('empty', 'No answer', what + (a.gaps.length ? ' Collection gaps above could hide some.' : ''));
    }
    const accountNames = new Map(this.accountNames);
    for (const node of a.nodes.values()) if (node.kind === 'Account' && node.account && node.name) accountNames.set(node.account, node.name);
    let scores = null;
    if (a.q === 'blast') {
      scores = new Map();
      for (const r of a.rows) if (r.finding && r.finding.score) scores.set(r.finding.subject, r.finding.score);
    }
    this.graph.render([...a.nodes.values()], [...a.edges.values()], {
      origin: a.origin && a.origin.id, direction: a.direction, accountNames, scores, layoutHint: scores ? 'concentric' : null,
    }).then(() => {
      if (this.report.length < 50) {
        const img = this.graph.cy && this.graph.nodeCount() <= 400 ? this.graph.cy.png({ full: true, scale: 1, maxWidth: 1400, maxHeight: 1000, bg: '#ffffff' }) : null;
        this.report.push(entryFor(a, a.paramsText, img));
      }
    });
  }

  /** settled marks that the page finished answering (tests wait for data-seq to change). */
  settled() {
    this.seqDone = (this.seqDone || 0) + 1;
    document.body.dataset.seq = String(this.seqDone);
  }

  afterLayout() {
    this.settled();
    this.drawLegend();
    this.restoreSelection();
  }

  restoreSelection() {
    const p = this.state.params;
    if (p.focus) this.focusNode(p.focus, false);
    if (p.sel) this.selectElement(p.sel, false);
  }

  /** drawTable builds the table now if it is shown, else when it is first needed (large answers: thousands of rows). */
  drawTable(force) {
    const a = this.answer;
    if (!a) return;
    if (!force && $('#table-view').hidden) { this.tableFor = null; return; }
    if (this.tableFor === a) return;
    this.tableFor = a;
    this.table = renderTable($('#table-view'), a, { onPick: (r) => this.pickRow(r), selectedKey: this.selectedRow && this.selectedRow.key });
  }

  drawLegend() {
    const { nodes, edges } = this.graph.counts();
    const leg = $('#legend');
    const nodeItems = [...nodes.entries()].sort((x, y) => y[1] - x[1]).map(([k, c]) => {
      const st = NODE_STYLES[k] || NODE_STYLES.unknown;
      const sw = h('span', { class: 'sw' });
      sw.style.background = st.color;
      sw.style.clipPath = clipFor(st.shape);
      const cb = h('input', { type: 'checkbox', checked: !this.graph.hiddenKinds.has(k), 'data-kind': k, 'aria-label': 'show ' + st.label });
      cb.addEventListener('change', () => this.toggleKind(k, !cb.checked));
      return h('label', null, cb, sw, st.label, h('span', { class: 'cnt' }, String(c)));
    });
    const edgeItems = [...edges.entries()].sort((x, y) => y[1] - x[1]).map(([k, c]) => {
      const st = EDGE_STYLES[k] || { label: k, color: '#98a4b0' };
      const ln = h('span', { class: 'ln' });
      ln.style.borderTopColor = st.color;
      const cb = h('input', { type: 'checkbox', checked: !this.graph.hiddenKinds.has('edge:' + k), 'data-kind': 'edge:' + k, 'aria-label': 'show ' + st.label });
      cb.addEventListener('change', () => this.toggleKind('edge:' + k, !cb.checked));
      return h('label', null, cb, ln, st.label, h('span', { class: 'cnt' }, String(c)));
    });
    const dashed = h('span', { class: 'ln dashed' });
    dashed.style.borderTopColor = 'currentColor';
    const cross = h('span', { class: 'ln cross' });
    cross.style.borderTopColor = CROSS_ACCOUNT_COLOR;
    const admin = h('span', { class: 'sw' });
    admin.style.border = '3px solid #e03131';
    admin.style.borderRadius = '50%';
    $('#graph-view').classList.toggle('legend-closed', !!this.legendClosed);
    fill(leg, h('details', { open: !this.legendClosed, ontoggle: (ev) => {
      this.legendClosed = !ev.target.open;
      $('#graph-view').classList.toggle('legend-closed', this.legendClosed);
    } },
      h('summary', null, 'Legend'),
      h('h3', null, 'Nodes (uncheck to hide)'), nodeItems,
      h('h3', null, 'Edges'), edgeItems,
      h('h3', null, 'Marks'),
      h('label', null, dashed, 'only under conditions'),
      h('label', null, cross, 'crosses accounts'),
      h('label', null, admin, 'admin-equivalent'),
      this.graph.grouped ? h('div', { class: 'cnt' }, 'boxes: accounts') : null,
      this.graph.big ? h('div', { class: 'cnt' }, 'large answer: one canvas, colours by kind, labels when zoomed in') : null));
  }

  toggleKind(k, hidden) {
    this.graph.setHidden(k, hidden);
    this.setView({ hide: [...this.graph.hiddenKinds].join(',') });
  }

  // ---------- selection ----------
  onGraphSelect(sel) {
    if (!sel) { this.clearSelection(); return; }
    if (sel.node) this.selectElement(sel.node);
    else this.selectElement(sel.edge);
  }

  /** selectElement shows a node or an edge in the panel and the graph. */
  selectElement(id, updateUrl = true) {
    const a = this.answer;
    if (!a) return;
    const cy = this.graph.cy;
    const el = cy && cy.getElementById(id);
    if (a.findingEdges && a.findingEdges.has(id)) {
      this.graph.select(id);
      this.panel.showFinding(a.findingEdges.get(id), this.allNodes());
    } else if (a.edges.has(id) || (el && el.length && el.isEdge())) {
      const e = a.edges.get(id) || this.expandedEdges && this.expandedEdges.get(id);
      if (!e) return;
      this.graph.select(id);
      this.panel.showEdge(e, this.allNodes());
    } else {
      const n = a.nodes.get(id) || (this.expandedNodes && this.expandedNodes.get(id));
      if (!n) return;
      this.graph.select(id);
      const row = a.rows.find((r) => r.focus === id);
      this.panel.showNode(n, {
        inGraph: this.graph.has(id), hasPath: !!(row && row.path && row.path.nodes.length), reachRow: row && row.actions ? row : null,
        whynot: this.hasWhyNot, whynotTo: a.q === 'reach' ? '' : undefined,
      });
    }
    if (updateUrl) this.setView({ sel: id });
  }

  allNodes() {
    const m = new Map(this.answer.nodes);
    if (this.expandedNodes) for (const [k, v] of this.expandedNodes) m.set(k, v);
    return m;
  }

  clearSelection() {
    this.panel.hide();
    this.graph.select(null);
    this.graph.unfocus();
    $('#unfocus').hidden = true;
    this.selectedRow = null;
    $$('#answer-table tbody tr').forEach((tr) => tr.setAttribute('aria-selected', 'false'));
    this.setView({ sel: '', focus: '' });
  }

  pickRow(r, scroll = false) {
    this.selectedRow = r;
    $$('#answer-table tbody tr').forEach((tr) => tr.setAttribute('aria-selected', tr.dataset.key === r.key ? 'true' : 'false'));
    if (scroll) {
      const tr = $(`#answer-table tbody tr[data-key="${r.key}"]`);
      if (tr) { tr.scrollIntoView({ block: 'nearest' }); tr.focus({ preventScroll: true }); }
    }
    if (r.path && (r.path.nodes.length || r.path.edges.length)) {
      this.graph.focus(r.path.nodes, r.path.edges);
      $('#unfocus').hidden = false;
    }
    if (r.finding) this.panel.showFinding(r.finding, this.answer.nodes);
    else if (r.edge) this.selectElement(edgeKey(r.edge), false);
    else if (r.focus) this.selectElement(r.focus, false);
    this.setView({ focus: r.focus || '', sel: r.edge ? edgeKey(r.edge) : r.focus || '' });
  }

  focusNode(id, updateUrl = true) {
    const a = this.answer;
    if (!a) return;
    const row = a.rows.find((r) => r.focus === id);
    if (!row) return;
    this.graph.focus(row.path.nodes.length ? row.path.nodes : [id], row.path.edges);
    $('#unfocus').hidden = false;
    this.selectedRow = row;
    $$('#answer-table tbody tr').forEach((tr) => tr.setAttribute('aria-selected', tr.dataset.key === row.key ? 'true' : 'false'));
    if (updateUrl) this.setView({ focus: id });
  }

  moveRow(delta) {
    if (!this.answer) return;
    this.drawTable(true);
    if (!this.table) return;
    const rows = this.table.rowsInOrder();
    if (!rows.length) return;
    let i = this.selectedRow ? rows.findIndex((r) => r.key === this.selectedRow.key) : -1;
    i = i < 0 ? (delta > 0 ? 0 : rows.length - 1) : Math.min(rows.length - 1, Math.max(0, i + delta));
    this.pickRow(rows[i], true);
  }

  async expand(id) {
    try {
      const sub = await this.api.neighbours(id, { direction: 'both', limit: 60 });
      this.expandedNodes = this.expandedNodes || new Map();
      this.expandedEdges = this.expandedEdges || new Map();
      for (const n of sub.nodes || []) if (!this.answer.nodes.has(n.id)) this.expandedNodes.set(n.id, n);
      for (const e of sub.edges || []) if (!this.answer.edges.has(edgeKey(e))) this.expandedEdges.set(edgeKey(e), e);
      const added = await this.graph.expand(id, sub.nodes || [], sub.edges || []);
      this.drawLegend();
      if (added < 0) { this.toast('Large answers are not expanded in place: use Explore neighbours'); return; }
      this.toast(added ? `Added ${added} neighbour${added > 1 ? 's' : ''}` : 'No more neighbours to add');
    } catch (err) {
      this.toast('Expand failed: ' + err.message);
    }
  }

  collapse(id) {
    const removed = this.graph.collapse(id);
    this.drawLegend();
    this.toast(removed ? `Removed ${removed} expanded node${removed > 1 ? 's' : ''}` : 'Nothing expanded here');
  }

  toast(text) {
    const t = $('#toast');
    t.textContent = text;
    t.hidden = false;
    clearTimeout(this.toastTimer);
    this.toastTimer = setTimeout(() => { t.hidden = true; }, 2500);
  }

  // ---------- views and controls ----------
  showView(view, updateUrl = true) {
    $('#graph-view').hidden = view !== 'graph';
    $('#table-view').hidden = view !== 'table';
    $('#graph-tools').classList.toggle('hidden', view !== 'graph');
    $('#tab-graph').setAttribute('aria-selected', String(view === 'graph'));
    $('#tab-table').setAttribute('aria-selected', String(view === 'table'));
    if (view === 'table') this.drawTable();
    if (view === 'graph' && this.graph.cy) this.graph.cy.resize();
    if (view === 'graph' && this.graph.big) this.graph.big.resize();
    if (updateUrl) this.setView({ view: view === 'table' ? 'table' : '' });
  }

  initControls() {
    $('#question').addEventListener('change', (ev) => {
      const q = ev.target.value;
      const p = this.state.params;
      const cur = p.from || p.to || p.id || '';
      if (q === 'reach') this.go(q, { from: p.from || (this.state.q === 'reachers' ? p.to : cur) });
      else if (q === 'reachers') this.go(q, { to: p.to && this.state.q !== 'paths' ? p.to : cur });
      else if (q === 'paths') this.go(q, { from: p.from || cur, to: p.to || '' });
      else if (q === 'node') this.go(q, { id: cur });
      else this.go(q, {});
    });
    $$('.tabs button').forEach((b) => b.addEventListener('click', () => this.showView(b.dataset.view)));
    $('#layout').addEventListener('change', (ev) => {
      this.graph.setLayout(ev.target.value);
      this.setView({ layout: ev.target.value === 'auto' ? '' : ev.target.value });
      if (this.answer) this.drawAnswer();
    });
    $('#group-accounts').addEventListener('change', (ev) => {
      this.graph.group = ev.target.checked;
      this.setView({ group: ev.target.checked ? '' : 'off' });
      if (this.answer) this.drawAnswer();
    });
    $('#fit').addEventListener('click', () => this.graph.fit());
    $('#unfocus').addEventListener('click', () => this.clearSelection());
    $$('[data-export]').forEach((b) => b.addEventListener('click', () => {
      $('#export-menu').open = false;
      this.exportAs(b.dataset.export);
    }));
    $('#copy-link').addEventListener('click', async () => {
      const url = location.href;
      try {
        await navigator.clipboard.writeText(url);
        this.toast('Permalink copied');
      } catch {
        this.toast(url);
      }
    });
  }

  initKeyboard() {
    document.addEventListener('keydown', (ev) => {
      const inField = ev.target instanceof HTMLElement && ev.target.matches('input, select, textarea');
      if (ev.key === '/' && !inField) {
        ev.preventDefault();
        $('#search').focus();
        $('#search').select();
        return;
      }
      if (ev.key === 'Escape') {
        if (this.abort) { this.cancel(); return; }
        if (ev.target === $('#search') && !$('#suggestions').hidden) return; // the search box handles it
        if ($('#export-menu').open) { $('#export-menu').open = false; return; }
        if (inField) { ev.target.blur(); return; }
        this.clearSelection();
        return;
      }
      if (inField) return;
      if (ev.key === 'ArrowDown' || ev.key === 'j') { ev.preventDefault(); this.moveRow(1); }
      else if (ev.key === 'ArrowUp' || ev.key === 'k') { ev.preventDefault(); this.moveRow(-1); }
      else if (ev.key === 'g') this.showView('graph');
      else if (ev.key === 't') this.showView('table');
    });
  }

  // ---------- search ----------
  initSearch() {
    const input = $('#search');
    const box = $('#suggestions');
    let results = [];
    let active = -1;
    let ctrl = null;
    const close = () => { box.hidden = true; input.setAttribute('aria-expanded', 'false'); active = -1; };
    const mark = () => {
      $$('.opt', box).forEach((o, i) => o.setAttribute('aria-selected', String(i === active)));
      const cur = $$('.opt', box)[active];
      if (cur) cur.scrollIntoView({ block: 'nearest' });
    };
    const pick = (n) => {
      close();
      input.value = '';
      input.blur();
      this.nodeCache.set(n.id, n);
      this.pickNode(n);
    };
    const draw = () => {
      if (!results.length) {
        fill(box, h('div', { class: 'empty' }, `Nothing matches "${input.value.trim()}".`));
        box.hidden = false;
        return;
      }
      const groups = new Map();
      for (const n of results) {
        const g = groupLabel(n);
        if (!groups.has(g)) groups.set(g, []);
        groups.get(g).push(n);
      }
      const order = [];
      const els = [];
      for (const [g, list] of groups) {
        list.sort((x, y) => (x.account || '').localeCompare(y.account || ''));
        els.push(h('div', { class: 'group', role: 'presentation' }, `${g} · ${list.length}`));
        for (const n of list) {
          const idx = order.length;
          order.push(n);
          els.push(h('div', {
            class: 'opt', role: 'option', id: 'opt-' + idx, 'aria-selected': 'false', 'data-id': n.id,
            onmousedown: (ev) => { ev.preventDefault(); pick(n); },
          }, h('span', { class: 'name' }, n.name || shortName(n.id)),
          h('span', { class: 'sub' }, [n.account ? 'account ' + n.account : '', n.type || '', n.id].filter(Boolean).join(' · '))));
        }
      }
      results = order;
      fill(box, els);
      box.hidden = false;
      input.setAttribute('aria-expanded', 'true');
      active = 0;
      mark();
    };
    const query = debounce(async () => {
      const q = input.value.trim();
      if (ctrl) ctrl.abort();
      if (!q) { close(); return; }
      ctrl = new AbortController();
      try {
        const r = await this.api.search(q, null, 30, ctrl.signal);
        results = r.results || [];
        draw();
      } catch (err) {
        if (err.code === 'aborted') return;
        fill(box, h('div', { class: 'empty', role: 'alert' }, 'Search failed: ' + err.message));
        box.hidden = false;
      }
    }, 120);
    input.addEventListener('input', query);
    input.addEventListener('keydown', (ev) => {
      if (ev.key === 'ArrowDown' && results.length && !box.hidden) { ev.preventDefault(); active = Math.min(results.length - 1, active + 1); mark(); }
      else if (ev.key === 'ArrowUp' && results.length && !box.hidden) { ev.preventDefault(); active = Math.max(0, active - 1); mark(); }
      else if (ev.key === 'Enter') {
        ev.preventDefault();
        if (!box.hidden && results[active]) pick(results[active]);
      } else if (ev.key === 'Escape') {
        if (!box.hidden) { ev.preventDefault(); close(); } else input.blur();
      }
    });
    input.addEventListener('blur', () => setTimeout(close, 150));
    input.addEventListener('focus', () => { if (input.value.trim() && results.length) draw(); });
  }

  /** pickNode runs the question that fits what was picked. */
  pickNode(n) {
    const q = this.state.q;
    const p = this.state.params;
    if (q === 'paths') {
      if (!p.from) this.go('paths', { from: n.id, to: p.to || '' });
      else this.go('paths', { from: p.from, to: n.id });
      return;
    }
    if ((q === 'reach' && !p.from) || (q === 'reachers' && !p.to)) {
      this.go(q, q === 'reach' ? { from: n.id } : { to: n.id });
      return;
    }
    if (isWorkload(n) || isPrincipal(n)) this.go('reach', { from: n.id });
    else if (['Resource', 'Scope', 'Pattern'].includes(n.kind)) this.go('reachers', { to: n.id });
    else this.go('node', { id: n.id });
  }

  // ---------- exports ----------
  async exportAs(kind) {
    const a = this.answer;
    const base = 'iamreach-' + (a ? a.q : 'view') + '-' + new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
    const bg = this.theme === 'dark' ? '#0f1419' : '#ffffff';
    if (kind === 'report') {
      const html = reportHTML(this.meta, this.report, location.href);
      download(base + '-report.html', new Blob([html], { type: 'text/html' }));
      return;
    }
    if (!a) { this.toast('Nothing to export yet: ask a question first'); return; }
    if (kind === 'json') {
      const out = { question: a.q, parameters: this.questionParams(), permalink: location.href, snapshot: this.meta && { source: this.meta.source, generatedAt: this.meta.generatedAt }, answer: a.raw };
      download(base + '.json', new Blob([JSON.stringify(out, null, 2)], { type: 'application/json' }));
    } else if (kind === 'csv') {
      download(base + '.csv', new Blob([csvFor(a)], { type: 'text/csv' }));
    } else if (kind === 'png') {
      if (!this.graph.nodeCount()) { this.toast('No graph to export'); return; }
      download(base + '.png', await this.graph.png(bg));
    } else if (kind === 'svg') {
      if (!this.graph.nodeCount()) { this.toast('No graph to export'); return; }
      download(base + '.svg', new Blob([this.graph.svgText(bg)], { type: 'image/svg+xml' }));
    }
  }
}

function clean(params) {
  const out = {};
  for (const [k, v] of Object.entries(params || {})) if (v !== undefined && v !== null && v !== '') out[k] = v;
  return out;
}

function gapText(g) {
  return [g.account && 'account ' + g.account, g.region, g.service, g.operation, g.resource, g.code].filter(Boolean).join(' · ') + ': ' + (g.error || 'not collected');
}

function groupLabel(n) {
  const vk = visualKey(n);
  return (NODE_STYLES[vk] || NODE_STYLES.unknown).label;
}

function clipFor(shape) {
  switch (shape) {
    case 'ellipse': return 'ellipse(50% 50%)';
    case 'round-triangle': return 'polygon(50% 0, 100% 100%, 0 100%)';
    case 'diamond': case 'round-diamond': return 'polygon(50% 0, 100% 50%, 50% 100%, 0 50%)';
    case 'round-hexagon': case 'hexagon': return 'polygon(25% 0, 75% 0, 100% 50%, 75% 100%, 25% 100%, 0 50%)';
    case 'round-pentagon': return 'polygon(50% 0, 100% 38%, 82% 100%, 18% 100%, 0 38%)';
    case 'octagon': return 'polygon(30% 0, 70% 0, 100% 30%, 100% 70%, 70% 100%, 30% 100%, 0 70%, 0 30%)';
    case 'star': return 'polygon(50% 0, 61% 35%, 98% 35%, 68% 57%, 79% 91%, 50% 70%, 21% 91%, 32% 57%, 2% 35%, 39% 35%)';
    case 'rhomboid': return 'polygon(25% 0, 100% 0, 75% 100%, 0 100%)';
    case 'round-tag': case 'tag': return 'polygon(0 0, 75% 0, 100% 50%, 75% 100%, 0 100%)';
    case 'concave-hexagon': return 'polygon(0 0, 100% 0, 85% 50%, 100% 100%, 0 100%, 15% 50%)';
    case 'cut-rectangle': return 'polygon(20% 0, 80% 0, 100% 20%, 100% 80%, 80% 100%, 20% 100%, 0 80%, 0 20%)';
    default: return 'none';
  }
}

new App().start();
