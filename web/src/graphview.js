// The graph canvas: Cytoscape.js with fcose for readable force layouts (with
// accounts as compound groups) and a linear "layered by hop" layout; answers
// of thousands of elements go to BigView (bigview.js), one 2D canvas.
import cytoscape from 'cytoscape';
import fcose from 'cytoscape-fcose';
import svg from 'cytoscape-svg';
import { NODE_STYLES, EDGE_STYLES, CROSS_ACCOUNT_COLOR, visualKey } from './kinds.js';
import { shortName } from './dom.js';
import { BigView } from './bigview.js';

let registered = false;
function register() {
  if (registered) return;
  cytoscape.use(fcose);
  cytoscape.use(svg);
  registered = true;
}

// Above these sizes an answer is drawn by BigView (one canvas) instead of Cytoscape.js: measured on the
// 2-core machines here, Cytoscape needed 2.4 s of main-thread CPU for 400 nodes / 1,600 edges (fcose)
// and 2.5 s for 1,400 / 5,600 (preset), and panned at 2–6 fps without a GPU (docs/perf/web.md).
const LARGE_NODES = 600;
const LARGE_EDGES = 1200;

/** edgeKey is the element id of an edge (API ids, or a stable stand-in). */
export function edgeKey(e) {
  return e.id || `${e.kind}|${e.from}|${e.to}`;
}

function groupId(account) { return 'acct-group:' + account; }

function nodeLabel(n) {
  const name = n.name || shortName(n.id);
  // outside accounts: the known vendor's name first
  if (n.props && n.props.vendor && !name.includes(n.props.vendor)) return `${n.props.vendor} · ${name}`;
  return name;
}

function edgeLabel(e) {
  if (e.technique) return e.technique;
  if (e.actions && e.actions.length) {
    const first = e.actions[0].action;
    return e.actions.length > 1 ? `${first} +${e.actions.length - 1}` : first;
  }
  return '';
}

/** elementsFor turns nodes and edges into Cytoscape elements. */
export function elementsFor(nodes, edges, opts = {}) {
  const els = [];
  const accounts = new Map();
  for (const n of nodes) {
    const vk = visualKey(n);
    const score = opts.scores && opts.scores.get(n.id);
    const data = {
      id: n.id, label: nodeLabel(n) + (score ? ` · ${score}` : ''), kind: n.kind, vk, account: n.account || '',
      admin: n.props && n.props.admin === 'true' ? 1 : 0, base: opts.base ? 1 : 0, addedBy: opts.addedBy || '',
      score: (opts.scores && opts.scores.get(n.id)) || 0,
      // drawn from data, not one selector per kind: style resolution stays cheap for thousands of elements
      color: (NODE_STYLES[vk] || NODE_STYLES.unknown).color, shape: (NODE_STYLES[vk] || NODE_STYLES.unknown).shape,
    };
    if (opts.group && n.account && n.kind !== 'Account' && !(n.props && n.props.external === 'true')) {
      data.parent = groupId(n.account);
      if (!accounts.has(n.account)) accounts.set(n.account, 0);
    }
    els.push({ group: 'nodes', data, classes: 'vk-' + vk + (data.admin ? ' admin' : '') + (opts.origin === n.id ? ' origin' : '') });
  }
  for (const acct of accounts.keys()) {
    const name = opts.accountNames && opts.accountNames.get(acct);
    els.push({ group: 'nodes', data: { id: groupId(acct), label: name ? `${name} (${acct})` : `account ${acct}`, vk: 'group-box', base: 1 }, classes: 'acct-group' });
  }
  for (const e of edges) {
    const st = EDGE_STYLES[e.kind] || { color: '#98a4b0', width: 1.5 };
    const data = {
      id: edgeKey(e), source: e.from, target: e.to, kind: e.kind, label: edgeLabel(e), color: st.color, width: st.width,
      base: opts.base ? 1 : 0, addedBy: opts.addedBy || '',
    };
    const classes = ['ek-' + e.kind];
    if (e.conditional) classes.push('conditional');
    if (e.crossAccount) classes.push('cross');
    els.push({ group: 'edges', data, classes: classes.join(' ') });
  }
  return els;
}

/** stylesheet: medium answers (hundreds of edges) drop edge labels and halos until selected or focused. */
function stylesheet(theme, medium) {
  const dark = theme === 'dark';
  const text = dark ? '#e6edf3' : '#17202b';
  const bg = dark ? '#0f1419' : '#f6f7f9';
  const sel = dark ? '#ffc24d' : '#f08c00';
  const s = [
    {
      selector: 'node',
      style: {
        width: 26, height: 26, 'background-color': '#adb5bd', 'border-width': 1.5,
        'border-color': dark ? '#0b1016' : '#ffffff', 'font-size': 10, color: text,
        'text-valign': 'bottom', 'text-halign': 'center', 'text-margin-y': 4, 'text-outline-color': bg,
        'text-outline-width': 2, 'min-zoomed-font-size': 5, 'text-max-width': 160, 'text-wrap': 'ellipsis',
      },
    },
    { selector: 'node', style: { label: 'data(label)' } },
  ];
  s.push({ selector: 'node[color]', style: { shape: 'data(shape)', 'background-color': 'data(color)' } });
  s.push(
    { selector: 'node.vk-account, node.vk-external', style: { width: 34, height: 24 } },
    { selector: 'node.vk-external', style: { 'border-width': 3, 'border-color': '#e03131', 'border-style': 'double', 'background-color': dark ? '#5c1a1a' : '#ffe3e3' } },
    { selector: 'node.vk-scope', style: { 'border-style': 'dashed', 'border-width': 2, 'border-color': '#2b8a3e', 'background-opacity': 0.75 } },
    { selector: 'node.vk-pattern', style: { 'border-style': 'dotted', 'border-width': 2, 'border-color': '#845ef7', 'background-opacity': 0.6, width: 30, height: 18 } },
    { selector: 'node.vk-policy', style: { width: 18, height: 18 } },
    { selector: 'node.admin', style: { 'border-width': 4, 'border-color': '#e03131' } },
    { selector: 'node.origin', style: { width: 38, height: 38, 'border-width': 4, 'border-color': sel, 'font-weight': 'bold', 'font-size': 12 } },
    {
      selector: 'node.acct-group',
      style: {
        shape: 'round-rectangle', 'background-color': dark ? '#6ea8ff' : '#1f5fbf', 'background-opacity': dark ? 0.07 : 0.05,
        'border-width': 1.5, 'border-style': 'dashed', 'border-color': dark ? '#4b6a8f' : '#8aa4c8', label: 'data(label)',
        'text-valign': 'top', 'text-halign': 'center', 'text-margin-y': -4, 'font-size': 12, 'font-weight': 'bold',
        color: dark ? '#a9c7ff' : '#1f4e8c', padding: 14, 'min-zoomed-font-size': 4, 'text-max-width': 600,
      },
    },
    {
      selector: 'edge',
      style: {
        width: 1.5, 'line-color': '#98a4b0', 'target-arrow-color': '#98a4b0', 'target-arrow-shape': 'triangle',
        'arrow-scale': 0.9, 'curve-style': 'bezier', 'font-size': 9, color: text,
        'text-outline-color': bg, 'text-outline-width': 2, 'min-zoomed-font-size': 9, 'text-rotation': 'autorotate',
      },
    },
  );
  s.push({ selector: 'edge[color]', style: { 'line-color': 'data(color)', 'target-arrow-color': 'data(color)', width: 'data(width)' } });
  s.push(
    { selector: 'edge.ek-CAN_ACCESS, edge.ek-CAN_ESCALATE, edge.ek-CAN_INVOKE', style: { label: medium ? '' : 'data(label)' } },
    { selector: 'edge.ek-FINDING', style: { 'line-style': 'dotted', label: 'data(label)' } },
    { selector: 'edge.conditional', style: { 'line-style': 'dashed', 'line-dash-pattern': [7, 4] } },
    medium
      ? { selector: 'edge.cross', style: { 'line-color': CROSS_ACCOUNT_COLOR, width: 2 } }
      : { selector: 'edge.cross', style: { 'underlay-color': CROSS_ACCOUNT_COLOR, 'underlay-opacity': dark ? 0.45 : 0.3, 'underlay-padding': 4, width: 3.5 } },
    { selector: 'node:selected', style: { 'border-width': 4, 'border-color': sel, 'overlay-opacity': 0 } },
    { selector: 'edge:selected', style: { width: 5, 'line-color': sel, 'target-arrow-color': sel, label: 'data(label)', 'min-zoomed-font-size': 0 } },
    { selector: '.faded', style: { opacity: 0.12 } },
    { selector: 'node.acct-group.faded', style: { opacity: 0.35 } },
    { selector: '.hl', style: { opacity: 1 } },
    { selector: 'edge.hl', style: { width: 4, label: 'data(label)', 'min-zoomed-font-size': 0, 'z-index': 10 } },
    { selector: '.kind-hidden', style: { display: 'none' } },
  );
  return s;
}


/**
 * GraphView owns one Cytoscape instance per answer; it is rebuilt when an
 * answer arrives (renderer options such as WebGL are fixed at creation).
 */
export class GraphView {
  constructor(container, { onSelect, onReady }) {
    register();
    this.container = container;
    this.onSelect = onSelect;
    this.onReady = onReady;
    this.cy = null;
    this.theme = 'light';
    this.hiddenKinds = new Set();
    this.layoutName = 'auto';
    this.group = true;
    this.origin = null;
    this.direction = 'out';
    this.seq = 0;
    // the side panel opening or closing resizes the canvas: keep Cytoscape in step
    // the panel opening or closing resizes the canvas: keep the picture fitted until the user moves it
    new ResizeObserver(() => {
      if (this.cy) {
        this.cy.resize();
        if (!this.userMoved && document.body.dataset.graphState === 'ready') this.cy.fit(this.cy.elements(':visible'), 30);
      }
      if (this.big) {
        this.big.resize();
        if (!this.big.userMoved) this.big.fitTo(null);
      }
    }).observe(container);
  }

  /** render replaces the graph with the given answer. */
  render(nodes, edges, opts = {}) {
    this.seq++;
    const seq = this.seq;
    document.body.dataset.graphState = 'layout';
    this.destroy();
    this.origin = opts.origin || null;
    this.direction = opts.direction || 'out';
    this.accountNames = opts.accountNames || new Map();
    this.large = nodes.length > LARGE_NODES || edges.length > LARGE_EDGES;
    // hundreds of edges: pan a cached picture, no edge labels or halos until selected/focused
    this.medium = !this.large && edges.length > 400;
    if (this.large) return this.renderBig(nodes, edges, seq);
    const group = this.group && !this.large && this.effectiveLayout(nodes.length) !== 'layered';
    const t0 = performance.now();
    this.renderer = 'cytoscape';
    this.scores = opts.scores || null;
    this.layoutHint = opts.layoutHint || null;
    const elements = elementsFor(nodes, edges, { base: true, group, origin: this.origin, accountNames: this.accountNames, scores: this.scores });
    const style = this.styleFor();
    const layoutName = this.effectiveLayout(nodes.length);
    const preset = layoutName === 'layered';
    if (preset) {
      // positions computed before Cytoscape exists: no layout pass over thousands of elements
      const pos = layeredPositions(nodes.map((n) => ({ id: n.id, account: n.account, vk: visualKey(n), label: nodeLabel(n) })),
        edges.map((e) => ({ source: e.from, target: e.to })), this.origin, this.direction);
      for (const el of elements) if (el.group === 'nodes' && pos.has(el.data.id)) el.position = pos.get(el.data.id);
    }
    const t1 = performance.now();
    this.cy = cytoscape({
      container: this.container,
      elements,
      style,
      layout: { name: 'preset', fit: false }, // fitting here would measure every element's box; fitPositions does it from the numbers
      minZoom: 0.02,
      maxZoom: 4,
      pixelRatio: 'auto',
      hideEdgesOnViewport: false,
      // hundreds of edges: pan and zoom a cached picture of the graph, redraw when the gesture ends
      textureOnViewport: this.medium,
      motionBlur: false,
      renderer: { name: 'canvas' },
    });
    this.grouped = group;
    this.userMoved = false;
    this.cy.on('dragpan scrollzoom pinchzoom', () => { this.userMoved = true; });
    const t2 = performance.now();
    this.applyHidden();
    this.cy.on('tap', 'node, edge', (ev) => {
      const el = ev.target;
      if (el.hasClass('acct-group')) return;
      this.onSelect && this.onSelect(el.isNode() ? { node: el.id() } : { edge: el.id() });
    });
    // full names and ARNs on hover (labels are shortened)
    this.cy.on('mouseover', 'node, edge', (ev) => {
      const el = ev.target;
      if (el.hasClass('acct-group')) return;
      this.container.title = el.isNode() ? `${el.data('label')}\n${el.id()}` : `${el.data('kind')}${el.data('label') ? ': ' + el.data('label') : ''}`;
    });
    this.cy.on('mouseout', 'node, edge', () => { this.container.title = ''; });
    this.cy.on('tap', (ev) => {
      if (ev.target === this.cy) this.onSelect && this.onSelect(null);
    });
    const t3 = performance.now();
    const laidOut = preset ? Promise.resolve(this.fitPositions(elements)) : this.runLayout(layoutName, true);
    return laidOut.then(() => {
      if (seq !== this.seq) return;
      const t4 = performance.now();
      this.firstRenderMs = t4 - t0;
      this.timings = { elements: t1 - t0, init: t2 - t1, hide: t3 - t2, layout: t4 - t3 };
      document.body.dataset.graphState = 'ready';
      this.onReady && this.onReady();
    });
  }

  styleFor() {
    const style = stylesheet(this.theme, this.medium);
    if (this.scores && this.scores.size) {
      // ranked answers: node size by score
      const max = Math.max(...this.scores.values());
      style.push({ selector: 'node[score > 0]', style: { width: `mapData(score, 0, ${max}, 22, 80)`, height: `mapData(score, 0, ${max}, 22, 80)` } });
    }
    return style;
  }

  /** renderBig draws thousands of nodes with BigView (one canvas, batched paths) instead of Cytoscape. */
  renderBig(nodes, edges, seq) {
    const t0 = performance.now();
    const pos = layeredPositions(nodes.map((n) => ({ id: n.id, account: n.account, vk: visualKey(n), label: nodeLabel(n) })),
      edges.map((e) => ({ source: e.from, target: e.to })), this.origin, this.direction);
    const bn = nodes.map((n) => {
      const vk = visualKey(n);
      const p = pos.get(n.id) || { x: 0, y: 0 };
      return { id: n.id, label: nodeLabel(n), vk, account: n.account || '', color: (NODE_STYLES[vk] || NODE_STYLES.unknown).color, x: p.x, y: p.y };
    });
    const be = edges.map((e) => ({
      id: edgeKey(e), source: e.from, target: e.to, kind: e.kind, color: (EDGE_STYLES[e.kind] || { color: '#98a4b0' }).color,
      dashed: !!e.conditional, cross: !!e.crossAccount,
    }));
    const t1 = performance.now();
    this.big = new BigView(this.container, bn, be, { onSelect: (sel) => this.onSelect && this.onSelect(sel), theme: this.theme });
    this.big.setHidden(this.hiddenKinds);
    this.big.fitTo(null);
    this.grouped = false;
    this.renderer = 'canvas 2D (large answer)';
    const t2 = performance.now();
    this.firstRenderMs = t2 - t0;
    this.timings = { layout: t1 - t0, init: t2 - t1 };
    return new Promise((resolve) => requestAnimationFrame(() => {
      if (seq !== this.seq) return resolve();
      document.body.dataset.graphState = 'ready';
      this.onReady && this.onReady();
      resolve();
    }));
  }

  destroy() {
    if (this.cy) { this.cy.destroy(); this.cy = null; }
    if (this.big) { this.big.destroy(); this.big = null; }
  }

  edgeCount() {
    if (this.big) return this.big.edges.length;
    return this.cy ? this.cy.edges().length : 0;
  }

  nodeCount() {
    if (this.big) return this.big.nodes.length;
    return this.cy ? this.cy.nodes().not('.acct-group').length : 0;
  }

  /** screenPosition: where a node or an edge's midpoint is on the page (tests click there). */
  screenPosition(id) {
    const box = this.container.getBoundingClientRect();
    let p = null;
    if (this.big) p = this.big.screenPosition(id);
    else if (this.cy) {
      const el = this.cy.getElementById(id);
      if (el.length) p = el.isEdge() ? el.renderedMidpoint() : el.renderedPosition();
    }
    return p && { x: box.left + p.x, y: box.top + p.y };
  }

  /** fitPositions fits the viewport from known positions (no bounding-box pass over every element). */
  fitPositions(elements) {
    let x1 = Infinity; let y1 = Infinity; let x2 = -Infinity; let y2 = -Infinity;
    for (const el of elements) {
      if (!el.position) continue;
      x1 = Math.min(x1, el.position.x); x2 = Math.max(x2, el.position.x);
      y1 = Math.min(y1, el.position.y); y2 = Math.max(y2, el.position.y);
    }
    if (x1 === Infinity) return;
    const w = this.cy.width();
    const hgt = this.cy.height();
    const pad = 40;
    const zoom = Math.min(2, Math.max(this.cy.minZoom(), Math.min((w - 2 * pad) / Math.max(1, x2 - x1 + 60), (hgt - 2 * pad) / Math.max(1, y2 - y1 + 60))));
    this.cy.viewport({ zoom, pan: { x: w / 2 - zoom * (x1 + x2) / 2, y: hgt / 2 - zoom * (y1 + y2) / 2 } });
  }

  effectiveLayout(n) {
    if (this.layoutName !== 'auto') return this.layoutName;
    if (this.layoutHint && n <= 600) return this.layoutHint;
    return n > 600 ? 'layered' : 'fcose';
  }

  /** runLayout lays the graph out and fits it; resolves when done. */
  runLayout(name, fit = true, randomize = true) {
    const cy = this.cy;
    if (!cy) return Promise.resolve();
    const els = cy.elements(':visible');
    if (els.length === 0) return Promise.resolve();
    let layout;
    if (name === 'layered') {
      const pos = this.layeredPositions();
      layout = els.layout({ name: 'preset', positions: (n) => pos.get(n.id()) || { x: 0, y: 0 }, fit, padding: 30, animate: false });
    } else if (name === 'concentric') {
      const depth = this.depths();
      layout = els.layout({
        name: 'concentric', fit, padding: 30, animate: false, minNodeSpacing: 18,
        // ranked answers (blast radius) put the highest score in the middle; others ring by hop
        concentric: this.scores ? (n) => n.data('score') || 0 : (n) => 100 - (depth.get(n.id()) ?? 50),
        levelWidth: this.scores ? (ns) => {
          const v = ns.map((n) => n.data('score') || 0);
          return Math.max(1, (Math.max(...v) - Math.min(...v)) / 5);
        } : () => 1,
      });
    } else if (name === 'grid') {
      layout = els.layout({ name: 'grid', fit, padding: 30, animate: false, avoidOverlap: true, nodeDimensionsIncludeLabels: true });
    } else {
      layout = els.layout({
        name: 'fcose', quality: els.length > 800 ? 'draft' : 'default', randomize, animate: false, fit, padding: 30,
        nodeDimensionsIncludeLabels: true, idealEdgeLength: els.length > 80 ? 70 : 110, nodeRepulsion: els.length > 80 ? 4500 : 9000, edgeElasticity: 0.45,
        nestingFactor: 0.1, gravity: 0.25, numIter: 2500, tile: true, packComponents: true,
        tilingPaddingVertical: 20, tilingPaddingHorizontal: 20,
      });
    }
    return new Promise((resolve) => {
      layout.one('layoutstop', () => resolve());
      layout.run();
    });
  }

  /** plain lists of what is drawn (for the pure layout functions below). */
  snapshotLists() {
    const nodes = this.cy.nodes().not('.acct-group').map((n) => ({ id: n.id(), account: n.data('account'), vk: n.data('vk'), label: n.data('label') }));
    const edges = this.cy.edges().map((e) => ({ source: e.data('source'), target: e.data('target') }));
    return { nodes, edges };
  }

  depths() {
    const { nodes, edges } = this.snapshotLists();
    return hopDepths(nodes, edges, this.origin, this.direction);
  }

  layeredPositions() {
    const { nodes, edges } = this.snapshotLists();
    return layeredPositions(nodes, edges, this.origin, this.direction);
  }

  setTheme(theme) {
    this.theme = theme;
    if (this.big) this.big.setTheme(theme);
    if (this.cy) this.cy.style(this.styleFor());
  }

  setLayout(name) {
    this.layoutName = name;
  }

  relayout() {
    if (!this.cy) return Promise.resolve();
    return this.runLayout(this.effectiveLayout(this.cy.nodes().length), true);
  }

  /** hideKind toggles a node visual key or an edge kind ("edge:KIND"). */
  setHidden(key, hidden) {
    if (hidden) this.hiddenKinds.add(key); else this.hiddenKinds.delete(key);
    this.applyHidden();
  }

  applyHidden() {
    if (this.big) { this.big.setHidden(this.hiddenKinds); return; }
    if (!this.cy) return;
    if (!this.hiddenKinds.size && !this.cy.$('.kind-hidden').length) return;
    this.cy.batch(() => {
      this.cy.elements().removeClass('kind-hidden');
      for (const k of this.hiddenKinds) {
        if (k.startsWith('edge:')) this.cy.edges('.ek-' + k.slice(5)).addClass('kind-hidden');
        else this.cy.nodes('.vk-' + k).addClass('kind-hidden');
      }
    });
  }

  /** counts per node visual key and edge kind, for the legend. */
  counts() {
    const nodes = new Map();
    const edges = new Map();
    if (this.big) return this.big.counts();
    if (!this.cy) return { nodes, edges };
    this.cy.nodes().not('.acct-group').forEach((n) => nodes.set(n.data('vk'), (nodes.get(n.data('vk')) || 0) + 1));
    this.cy.edges().forEach((e) => edges.set(e.data('kind'), (edges.get(e.data('kind')) || 0) + 1));
    return { nodes, edges };
  }

  /** focus fades everything but the given node and edge ids. */
  focus(nodeIds, edgeIds) {
    if (this.big) { this.big.focus(nodeIds, edgeIds); return; }
    const cy = this.cy;
    if (!cy) return;
    cy.batch(() => {
      cy.elements().removeClass('hl').addClass('faded');
      const keep = cy.collection();
      for (const id of nodeIds) keep.merge(cy.getElementById(id));
      for (const id of edgeIds) keep.merge(cy.getElementById(id));
      keep.removeClass('faded').addClass('hl');
      keep.nodes().parents().removeClass('faded');
    });
    const keepEls = cy.elements('.hl');
    if (keepEls.length) cy.animate({ fit: { eles: keepEls, padding: 60 }, duration: 250 });
  }

  unfocus() {
    if (this.big) { this.big.unfocus(); return; }
    if (!this.cy) return;
    this.cy.elements().removeClass('faded hl');
  }

  select(id) {
    if (this.big) { this.big.select(id); return; }
    if (!this.cy) return;
    this.cy.elements(':selected').unselect();
    const el = this.cy.getElementById(id);
    if (el.length) el.select();
  }

  fit() {
    if (this.big) this.big.fitTo(null);
    if (this.cy) this.cy.animate({ fit: { eles: this.cy.elements(':visible'), padding: 30 }, duration: 200 });
  }

  has(id) {
    if (this.big) return this.big.index.has(id) || this.big.edgeIndex.has(id);
    return !!(this.cy && this.cy.getElementById(id).length);
  }

  /** expand adds neighbours of a node, placed around it, then relays out locally. */
  async expand(id, nodes, edges) {
    if (this.big) return -1; // large answers are not expanded in place
    const cy = this.cy;
    if (!cy) return 0;
    const center = cy.getElementById(id).position();
    const newNodes = nodes.filter((n) => !cy.getElementById(n.id).length);
    const newEdges = edges.filter((e) => !cy.getElementById(edgeKey(e)).length);
    const els = elementsFor(newNodes, newEdges, { addedBy: id, group: this.grouped, accountNames: this.accountNames });
    // group boxes for accounts not yet drawn
    const fresh = els.filter((el) => !(el.group === 'nodes' && el.data.vk === 'group-box' && cy.getElementById(el.data.id).length));
    const added = cy.add(fresh.filter((el) => el.group === 'nodes').concat(fresh.filter((el) => el.group === 'edges' &&
      (cy.getElementById(el.data.source).length || fresh.some((f) => f.data.id === el.data.source)) &&
      (cy.getElementById(el.data.target).length || fresh.some((f) => f.data.id === el.data.target)))));
    const ring = added.nodes().not('.acct-group');
    ring.forEach((n, i) => {
      const a = (2 * Math.PI * i) / Math.max(1, ring.length);
      n.position({ x: center.x + 160 * Math.cos(a), y: center.y + 160 * Math.sin(a) });
    });
    this.applyHidden();
    if (ring.length && !this.large && this.effectiveLayout(cy.nodes().length) === 'fcose') await this.runLayout('fcose', false, false);
    return ring.length;
  }

  /** collapse removes what expanding id added (and what those added, recursively), keeping the answer itself. */
  collapse(id) {
    if (this.big) return 0;
    const cy = this.cy;
    if (!cy) return 0;
    let removed = 0;
    const drop = (by) => {
      const els = cy.elements().filter((el) => el.data('addedBy') === by && !el.data('base'));
      els.nodes().forEach((n) => drop(n.id()));
      removed += els.nodes().length;
      cy.remove(els);
    };
    drop(id);
    cy.nodes('.acct-group').filter((g) => g.children().length === 0).remove();
    return removed;
  }

  png(bg) {
    if (this.big) return this.big.png(bg);
    return this.cy.png({ output: 'blob', full: true, scale: 2, maxWidth: 4000, maxHeight: 4000, bg });
  }

  svgText(bg) {
    if (this.big) return this.big.svgText(bg);
    return this.cy.svg({ full: true, scale: 1, bg });
  }
}

/**
 * hopDepths: hop distance of every node from the origin (forward for reach,
 * backward for reachers); nodes not reached from it start their own layers
 * from the nodes nothing points to. Linear in nodes + edges.
 */
export function hopDepths(nodes, edges, origin, direction) {
  const depth = new Map();
  const out = new Map();
  const indeg = new Map();
  for (const e of edges) {
    const [a, b] = direction === 'in' ? [e.target, e.source] : [e.source, e.target];
    if (!out.has(a)) out.set(a, []);
    out.get(a).push(b);
    indeg.set(b, (indeg.get(b) || 0) + 1);
  }
  const bfs = (starts) => {
    let frontier = starts.filter((s) => !depth.has(s));
    frontier.forEach((s) => depth.set(s, 0));
    while (frontier.length) {
      const next = [];
      for (const a of frontier) {
        for (const b of out.get(a) || []) {
          if (!depth.has(b)) { depth.set(b, depth.get(a) + 1); next.push(b); }
        }
      }
      frontier = next;
    }
  };
  const ids = new Set(nodes.map((n) => n.id));
  if (origin && ids.has(origin)) bfs([origin]);
  bfs(nodes.filter((n) => !indeg.get(n.id)).map((n) => n.id));
  for (const n of nodes) if (!depth.has(n.id)) bfs([n.id]);
  return depth;
}

/**
 * layeredPositions places nodes in columns by hop from the origin, sorted by
 * account, kind and name within a column; tall columns wrap into several
 * sub-columns. Linear apart from the per-column sort.
 */
export function layeredPositions(nodes, edges, origin, direction) {
  const depth = hopDepths(nodes, edges, origin, direction);
  const cols = new Map();
  for (const n of nodes) {
    const d = depth.get(n.id) || 0;
    if (!cols.has(d)) cols.set(d, []);
    cols.get(d).push(n);
  }
  const pos = new Map();
  const sign = direction === 'in' ? -1 : 1;
  let x = 0;
  for (const d of [...cols.keys()].sort((a, b) => a - b)) {
    const list = cols.get(d);
    list.sort((a, b) => (a.account || '').localeCompare(b.account || '') ||
      (a.vk || '').localeCompare(b.vk || '') || (a.label || '').localeCompare(b.label || ''));
    const per = Math.max(30, Math.ceil(Math.sqrt(list.length) * 3));
    const sub = Math.ceil(list.length / per);
    const rows = Math.min(per, list.length);
    list.forEach((n, i) => {
      pos.set(n.id, { x: sign * (x + Math.floor(i / per) * 170), y: ((i % per) - rows / 2) * 46 });
    });
    x += sub * 170 + 150;
  }
  return pos;
}
