// The graph canvas: Cytoscape.js with fcose for readable force layouts
// (with accounts as compound groups), a linear "layered by hop" layout for
// large answers, and the WebGL renderer for answers of thousands of elements.
import cytoscape from 'cytoscape';
import fcose from 'cytoscape-fcose';
import svg from 'cytoscape-svg';
import { NODE_STYLES, EDGE_STYLES, CROSS_ACCOUNT_COLOR, visualKey } from './kinds.js';
import { shortName } from './dom.js';

let registered = false;
function register() {
  if (registered) return;
  cytoscape.use(fcose);
  cytoscape.use(svg);
  registered = true;
}

const LARGE = 1500; // nodes: above this, cheap layout and fast rendering paths

/** edgeKey is the element id of an edge (API ids, or a stable stand-in). */
export function edgeKey(e) {
  return e.id || `${e.kind}|${e.from}|${e.to}`;
}

function groupId(account) { return 'acct-group:' + account; }

function nodeLabel(n) {
  return n.name || shortName(n.id);
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
    const data = {
      id: n.id, label: nodeLabel(n), kind: n.kind, vk, account: n.account || '',
      admin: n.props && n.props.admin === 'true' ? 1 : 0, base: opts.base ? 1 : 0, addedBy: opts.addedBy || '',
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
    const data = {
      id: edgeKey(e), source: e.from, target: e.to, kind: e.kind, label: edgeLabel(e),
      base: opts.base ? 1 : 0, addedBy: opts.addedBy || '',
    };
    const classes = ['ek-' + e.kind];
    if (e.conditional) classes.push('conditional');
    if (e.crossAccount) classes.push('cross');
    els.push({ group: 'edges', data, classes: classes.join(' ') });
  }
  return els;
}

function stylesheet(theme, large) {
  const dark = theme === 'dark';
  const text = dark ? '#e6edf3' : '#17202b';
  const bg = dark ? '#0f1419' : '#f6f7f9';
  const sel = dark ? '#ffc24d' : '#f08c00';
  const s = [
    {
      selector: 'node',
      style: {
        width: 26, height: 26, 'background-color': '#adb5bd', 'border-width': 1.5,
        'border-color': dark ? '#0b1016' : '#ffffff', label: 'data(label)', 'font-size': 10, color: text,
        'text-valign': 'bottom', 'text-halign': 'center', 'text-margin-y': 4, 'text-outline-color': bg,
        'text-outline-width': 2, 'min-zoomed-font-size': large ? 12 : 6, 'text-max-width': 160, 'text-wrap': 'ellipsis',
      },
    },
  ];
  for (const [k, v] of Object.entries(NODE_STYLES)) {
    s.push({ selector: 'node.vk-' + k, style: { shape: v.shape, 'background-color': v.color } });
  }
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
        width: 1.5, 'line-color': '#98a4b0', 'target-arrow-color': '#98a4b0', 'target-arrow-shape': large ? 'none' : 'triangle',
        'arrow-scale': 0.9, 'curve-style': large ? 'haystack' : 'bezier', 'font-size': 9, color: text,
        'text-outline-color': bg, 'text-outline-width': 2, 'min-zoomed-font-size': 9, 'text-rotation': 'autorotate',
      },
    },
  );
  for (const [k, v] of Object.entries(EDGE_STYLES)) {
    s.push({ selector: 'edge.ek-' + k, style: { 'line-color': v.color, 'target-arrow-color': v.color, width: v.width } });
  }
  s.push(
    { selector: 'edge.ek-CAN_ACCESS, edge.ek-CAN_ESCALATE, edge.ek-CAN_INVOKE', style: { label: large ? '' : 'data(label)' } },
    { selector: 'edge.ek-FINDING', style: { 'line-style': 'dotted', label: 'data(label)' } },
    { selector: 'edge.conditional', style: { 'line-style': 'dashed', 'line-dash-pattern': [7, 4] } },
    {
      selector: 'edge.cross',
      style: { 'underlay-color': CROSS_ACCOUNT_COLOR, 'underlay-opacity': dark ? 0.45 : 0.3, 'underlay-padding': 4, width: 3.5 },
    },
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

function webglAvailable() {
  try {
    const c = document.createElement('canvas');
    return !!c.getContext('webgl2');
  } catch {
    return false;
  }
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
    new ResizeObserver(() => { if (this.cy) this.cy.resize(); }).observe(container);
  }

  /** render replaces the graph with the given answer. */
  render(nodes, edges, opts = {}) {
    this.seq++;
    const seq = this.seq;
    document.body.dataset.graphState = 'layout';
    if (this.cy) this.cy.destroy();
    this.origin = opts.origin || null;
    this.direction = opts.direction || 'out';
    this.accountNames = opts.accountNames || new Map();
    this.large = nodes.length > LARGE;
    const group = this.group && !this.large && this.effectiveLayout(nodes.length) !== 'layered';
    const t0 = performance.now();
    const useWebgl = this.large && webglAvailable();
    this.renderer = useWebgl ? 'webgl' : 'canvas';
    this.cy = cytoscape({
      container: this.container,
      elements: elementsFor(nodes, edges, { base: true, group, origin: this.origin, accountNames: this.accountNames }),
      style: stylesheet(this.theme, this.large),
      layout: { name: 'preset' },
      minZoom: 0.02,
      maxZoom: 4,
      pixelRatio: this.large ? 1 : 'auto',
      hideEdgesOnViewport: this.large && !useWebgl,
      textureOnViewport: false,
      motionBlur: false,
      renderer: { name: 'canvas', webgl: useWebgl },
    });
    this.grouped = group;
    this.applyHidden();
    this.cy.on('tap', 'node, edge', (ev) => {
      const el = ev.target;
      if (el.hasClass('acct-group')) return;
      this.onSelect && this.onSelect(el.isNode() ? { node: el.id() } : { edge: el.id() });
    });
    this.cy.on('tap', (ev) => {
      if (ev.target === this.cy) this.onSelect && this.onSelect(null);
    });
    return this.runLayout(this.effectiveLayout(nodes.length), true).then(() => {
      if (seq !== this.seq) return;
      this.firstRenderMs = performance.now() - t0;
      document.body.dataset.graphState = 'ready';
      this.onReady && this.onReady();
    });
  }

  effectiveLayout(n) {
    if (this.layoutName !== 'auto') return this.layoutName;
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
        concentric: (n) => 100 - (depth.get(n.id()) ?? 50), levelWidth: () => 1,
      });
    } else if (name === 'grid') {
      layout = els.layout({ name: 'grid', fit, padding: 30, animate: false, avoidOverlap: true, nodeDimensionsIncludeLabels: true });
    } else {
      layout = els.layout({
        name: 'fcose', quality: els.length > 800 ? 'draft' : 'default', randomize, animate: false, fit, padding: 30,
        nodeDimensionsIncludeLabels: true, idealEdgeLength: 110, nodeRepulsion: 9000, edgeElasticity: 0.45,
        nestingFactor: 0.1, gravity: 0.25, numIter: 2500, tile: true, packComponents: true,
        tilingPaddingVertical: 20, tilingPaddingHorizontal: 20,
      });
    }
    return new Promise((resolve) => {
      layout.one('layoutstop', () => resolve());
      layout.run();
    });
  }

  /** depths: hop distance from the origin (forward for reach, backward for reachers). */
  depths() {
    const cy = this.cy;
    const depth = new Map();
    const nodes = cy.nodes().not('.acct-group');
    const out = new Map();
    const add = (a, b) => { if (!out.has(a)) out.set(a, []); out.get(a).push(b); };
    cy.edges().forEach((e) => {
      if (this.direction === 'in') add(e.data('target'), e.data('source'));
      else add(e.data('source'), e.data('target'));
    });
    const indeg = new Map();
    for (const list of out.values()) for (const b of list) indeg.set(b, (indeg.get(b) || 0) + 1);
    let roots = [];
    if (this.origin && cy.getElementById(this.origin).length) roots = [this.origin];
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
    bfs(roots);
    bfs(nodes.filter((n) => !indeg.get(n.id())).map((n) => n.id()));
    nodes.forEach((n) => { if (!depth.has(n.id())) bfs([n.id()]); });
    return depth;
  }

  layeredPositions() {
    const depth = this.depths();
    const cols = new Map();
    this.cy.nodes().not('.acct-group').forEach((n) => {
      const d = depth.get(n.id()) || 0;
      if (!cols.has(d)) cols.set(d, []);
      cols.get(d).push(n);
    });
    const pos = new Map();
    const sign = this.direction === 'in' ? -1 : 1;
    const maxCol = Math.max(...Array.from(cols.values(), (c) => c.length));
    const colWidth = 280 + Math.min(600, maxCol / 4);
    for (const [d, list] of cols) {
      list.sort((a, b) => (a.data('account') || '').localeCompare(b.data('account') || '') ||
        a.data('vk').localeCompare(b.data('vk')) || a.data('label').localeCompare(b.data('label')));
      // very tall columns wrap into several sub-columns to keep the picture compact
      const per = Math.max(40, Math.ceil(Math.sqrt(list.length) * 4));
      const sub = Math.ceil(list.length / per);
      list.forEach((n, i) => {
        const c = Math.floor(i / per);
        const r = i % per;
        const rows = Math.min(per, list.length);
        pos.set(n.id(), { x: sign * (d * colWidth * Math.max(1, sub * 0.5) + c * 120), y: (r - rows / 2) * 44 });
      });
    }
    return pos;
  }

  setTheme(theme) {
    this.theme = theme;
    if (this.cy) this.cy.style(stylesheet(theme, this.large));
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
    if (!this.cy) return;
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
    if (!this.cy) return { nodes, edges };
    this.cy.nodes().not('.acct-group').forEach((n) => nodes.set(n.data('vk'), (nodes.get(n.data('vk')) || 0) + 1));
    this.cy.edges().forEach((e) => edges.set(e.data('kind'), (edges.get(e.data('kind')) || 0) + 1));
    return { nodes, edges };
  }

  /** focus fades everything but the given node and edge ids. */
  focus(nodeIds, edgeIds) {
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
    if (!this.cy) return;
    this.cy.elements().removeClass('faded hl');
  }

  select(id) {
    if (!this.cy) return;
    this.cy.elements(':selected').unselect();
    const el = this.cy.getElementById(id);
    if (el.length) el.select();
  }

  fit() {
    if (this.cy) this.cy.animate({ fit: { eles: this.cy.elements(':visible'), padding: 30 }, duration: 200 });
  }

  has(id) {
    return !!(this.cy && this.cy.getElementById(id).length);
  }

  /** expand adds neighbours of a node, placed around it, then relays out locally. */
  async expand(id, nodes, edges) {
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
    return this.cy.png({ output: 'blob', full: true, scale: 2, maxWidth: 4000, maxHeight: 4000, bg });
  }

  svgText(bg) {
    return this.cy.svg({ full: true, scale: 1, bg });
  }
}
