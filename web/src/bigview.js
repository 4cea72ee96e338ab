// BigView draws answers of thousands of nodes on one 2D canvas: edges batched
// into one path per colour, nodes as dots, labels only for what is in view
// when zoomed in, and a cached picture moved while the user pans or zooms
// (redrawn sharp when the gesture ends). Picking is a linear scan, which is
// well under a millisecond for 5,000 nodes and 20,000 edges.
import { CROSS_ACCOUNT_COLOR } from './kinds.js';

const R = 11; // node radius, world units

export class BigView {
  /**
   * nodes: [{id, label, color, vk, account, x, y}], edges: [{id, source, target, color, kind, dashed, cross}]
   */
  constructor(container, nodes, edges, { onSelect, theme }) {
    this.container = container;
    this.onSelect = onSelect;
    this.theme = theme;
    this.nodes = nodes;
    this.index = new Map(nodes.map((n, i) => [n.id, i]));
    this.edges = edges.filter((e) => this.index.has(e.source) && this.index.has(e.target)).map((e) => ({ ...e, s: this.index.get(e.source), t: this.index.get(e.target) }));
    this.edgeIndex = new Map(this.edges.map((e, i) => [e.id, i]));
    this.zoom = 1;
    this.pan = { x: 0, y: 0 };
    this.hidden = new Set();
    this.focusNodes = null;
    this.focusEdges = null;
    this.selected = null;
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'bigview';
    this.canvas.setAttribute('aria-label', 'Graph of the answer (large)');
    container.appendChild(this.canvas);
    this.cache = document.createElement('canvas');
    this.cacheView = null;
    this.resize();
    this.bind();
    this.rebuild();
  }

  destroy() {
    this.unbind();
    this.canvas.remove();
  }

  resize() {
    const w = Math.max(1, this.container.clientWidth);
    const h = Math.max(1, this.container.clientHeight);
    if (this.canvas.width !== w || this.canvas.height !== h) {
      this.canvas.width = w;
      this.canvas.height = h;
      this.canvas.style.width = w + 'px';
      this.canvas.style.height = h + 'px';
      this.cacheView = null;
      this.request();
    }
  }

  bind() {
    const c = this.canvas;
    let down = null;
    this.onDown = (ev) => {
      c.setPointerCapture(ev.pointerId);
      down = { x: ev.clientX, y: ev.clientY, px: this.pan.x, py: this.pan.y, moved: false };
    };
    this.onMove = (ev) => {
      if (!down) return;
      const dx = ev.clientX - down.x;
      const dy = ev.clientY - down.y;
      if (Math.abs(dx) + Math.abs(dy) > 3) down.moved = true;
      if (down.moved) {
        this.pan = { x: down.px + dx, y: down.py + dy };
        this.interact(true);
      }
    };
    this.onUp = (ev) => {
      if (!down) return;
      const wasClick = !down.moved;
      down = null;
      this.dragging = false;
      if (!wasClick) this.interact(); // sharp picture shortly after the drag ends
      if (wasClick) {
        const r = c.getBoundingClientRect();
        this.onSelect && this.onSelect(this.pick(ev.clientX - r.left, ev.clientY - r.top));
      }
    };
    this.onWheel = (ev) => {
      ev.preventDefault();
      const r = c.getBoundingClientRect();
      const f = Math.exp(-ev.deltaY * 0.0015);
      this.zoomAt(ev.clientX - r.left, ev.clientY - r.top, f);
    };
    c.addEventListener('pointerdown', this.onDown);
    c.addEventListener('pointermove', this.onMove);
    c.addEventListener('pointerup', this.onUp);
    c.addEventListener('wheel', this.onWheel, { passive: false });
  }

  unbind() {
    const c = this.canvas;
    c.removeEventListener('pointerdown', this.onDown);
    c.removeEventListener('pointermove', this.onMove);
    c.removeEventListener('pointerup', this.onUp);
    c.removeEventListener('wheel', this.onWheel);
  }

  zoomAt(x, y, f) {
    const z = Math.min(4, Math.max(0.01, this.zoom * f));
    const k = z / this.zoom;
    this.pan = { x: x - (x - this.pan.x) * k, y: y - (y - this.pan.y) * k };
    this.zoom = z;
    this.interact();
  }

  /**
   * interact: a gesture is going on; move the cached picture now and draw sharp when it ends
   * (the pointer is released, or no wheel event for 200 ms). A drag that pauses keeps the cached picture.
   */
  interact(dragging) {
    this.moving = true;
    this.userMoved = true;
    this.dragging = !!dragging;
    clearTimeout(this.settleTimer);
    this.settleTimer = setTimeout(() => {
      if (this.dragging) return;
      this.moving = false;
      this.request();
    }, 200);
    this.request();
  }

  request() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = null;
      this.draw();
    });
  }

  /** rebuild groups what is drawn by style, after hiding or focusing changes. */
  rebuild() {
    const vis = (n) => !this.hidden.has(n.vk);
    this.nodeVisible = this.nodes.map(vis);
    const buckets = new Map();
    this.edges.forEach((e, i) => {
      if (this.hidden.has('edge:' + e.kind) || !this.nodeVisible[e.s] || !this.nodeVisible[e.t]) return;
      const faded = this.focusEdges ? !this.focusEdges.has(e.id) : false;
      const key = `${e.cross ? CROSS_ACCOUNT_COLOR : e.color}|${e.dashed ? 1 : 0}|${faded ? 1 : 0}`;
      if (!buckets.has(key)) buckets.set(key, []);
      buckets.get(key).push(i);
    });
    // faded first, highlighted last (on top)
    this.edgeBuckets = [...buckets.entries()].sort((a, b) => b[0].endsWith('|1') - a[0].endsWith('|1'));
    const nb = new Map();
    this.nodes.forEach((n, i) => {
      if (!this.nodeVisible[i]) return;
      const faded = this.focusNodes ? !this.focusNodes.has(n.id) : false;
      const key = `${n.color}|${faded ? 1 : 0}`;
      if (!nb.has(key)) nb.set(key, []);
      nb.get(key).push(i);
    });
    this.nodeBuckets = [...nb.entries()].sort((a, b) => b[0].endsWith('|1') - a[0].endsWith('|1'));
    this.cacheView = null;
    this.request();
  }

  draw() {
    const ctx = this.canvas.getContext('2d');
    const w = this.canvas.width;
    const h = this.canvas.height;
    const dark = this.theme === 'dark';
    const bg = dark ? '#0f1419' : '#f6f7f9';
    if (this.moving && this.cacheView) {
      // move and scale the last sharp picture: constant cost per frame whatever the graph size
      const k = this.zoom / this.cacheView.zoom;
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.fillStyle = bg;
      ctx.fillRect(0, 0, w, h);
      ctx.drawImage(this.cache, this.pan.x - this.cacheView.pan.x * k, this.pan.y - this.cacheView.pan.y * k, w * k, h * k);
      return;
    }
    this.drawFull(ctx, w, h, bg, dark, this.zoom, this.pan);
    this.cache.width = w;
    this.cache.height = h;
    this.cache.getContext('2d').drawImage(this.canvas, 0, 0);
    this.cacheView = { zoom: this.zoom, pan: { ...this.pan } };
  }

  drawFull(ctx, w, h, bg, dark, zoom, pan) {
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = bg;
    ctx.fillRect(0, 0, w, h);
    ctx.setTransform(zoom, 0, 0, zoom, pan.x, pan.y);
    const x1 = -pan.x / zoom - R; const x2 = (w - pan.x) / zoom + R;
    const y1 = -pan.y / zoom - R; const y2 = (h - pan.y) / zoom + R;
    const N = this.nodes;
    ctx.lineWidth = 1 / zoom; // one screen pixel at any zoom
    for (const [key, list] of this.edgeBuckets) {
      const [color, dashed, faded] = key.split('|');
      ctx.strokeStyle = color;
      ctx.globalAlpha = faded === '1' ? 0.08 : 0.55;
      ctx.setLineDash(dashed === '1' ? [6 / zoom, 4 / zoom] : []);
      ctx.beginPath();
      for (const i of list) {
        const e = this.edges[i];
        const a = N[e.s]; const b = N[e.t];
        if ((a.x < x1 && b.x < x1) || (a.x > x2 && b.x > x2) || (a.y < y1 && b.y < y1) || (a.y > y2 && b.y > y2)) continue;
        ctx.moveTo(a.x, a.y);
        ctx.lineTo(b.x, b.y);
      }
      ctx.stroke();
    }
    ctx.setLineDash([]);
    ctx.globalAlpha = 1;
    const dot = R * zoom < 2;
    for (const [key, list] of this.nodeBuckets) {
      const [color, faded] = key.split('|');
      ctx.fillStyle = color;
      ctx.globalAlpha = faded === '1' ? 0.15 : 1;
      ctx.beginPath();
      for (const i of list) {
        const n = N[i];
        if (n.x < x1 || n.x > x2 || n.y < y1 || n.y > y2) continue;
        if (dot) ctx.rect(n.x - R, n.y - R, 2 * R, 2 * R);
        else { ctx.moveTo(n.x + R, n.y); ctx.arc(n.x, n.y, R, 0, 2 * Math.PI); }
      }
      ctx.fill();
    }
    ctx.globalAlpha = 1;
    const sel = dark ? '#ffc24d' : '#f08c00';
    if (this.selected) {
      ctx.strokeStyle = sel;
      ctx.lineWidth = 3 / zoom;
      ctx.beginPath();
      if (this.selected.node !== undefined) {
        const n = N[this.selected.node];
        ctx.arc(n.x, n.y, R + 4, 0, 2 * Math.PI);
      } else {
        const e = this.edges[this.selected.edge];
        ctx.moveTo(N[e.s].x, N[e.s].y);
        ctx.lineTo(N[e.t].x, N[e.t].y);
      }
      ctx.stroke();
    }
    if (zoom >= 0.45) {
      ctx.fillStyle = dark ? '#e6edf3' : '#17202b';
      const fs = Math.min(10, 12 / zoom);
      ctx.font = `${fs}px system-ui, sans-serif`;
      ctx.textAlign = 'center';
      let drawn = 0;
      for (let i = 0; i < N.length && drawn < 800; i++) {
        const n = N[i];
        if (!this.nodeVisible[i] || n.x < x1 || n.x > x2 || n.y < y1 || n.y > y2) continue;
        if (this.focusNodes && !this.focusNodes.has(n.id)) continue;
        ctx.fillText(n.label.length > 28 ? n.label.slice(0, 27) + '…' : n.label, n.x, n.y + R + fs + 1);
        drawn++;
      }
    }
  }

  /** pick finds the node, else the edge, under a point of the canvas. */
  pick(px, py) {
    const x = (px - this.pan.x) / this.zoom;
    const y = (py - this.pan.y) / this.zoom;
    let best = -1;
    let bd = (R + 4 / this.zoom) ** 2;
    this.nodes.forEach((n, i) => {
      if (!this.nodeVisible[i]) return;
      const d = (n.x - x) ** 2 + (n.y - y) ** 2;
      if (d < bd) { bd = d; best = i; }
    });
    if (best >= 0) return { node: this.nodes[best].id };
    let be = -1;
    let ed = (6 / this.zoom) ** 2;
    const N = this.nodes;
    for (const [, list] of this.edgeBuckets) {
      for (const i of list) {
        const e = this.edges[i];
        const a = N[e.s]; const b = N[e.t];
        const vx = b.x - a.x; const vy = b.y - a.y;
        const len = vx * vx + vy * vy || 1;
        const t = Math.max(0, Math.min(1, ((x - a.x) * vx + (y - a.y) * vy) / len));
        const d = (a.x + t * vx - x) ** 2 + (a.y + t * vy - y) ** 2;
        if (d < ed) { ed = d; be = i; }
      }
    }
    return be >= 0 ? { edge: this.edges[be].id } : null;
  }

  /** screenPosition of a node or an edge's midpoint (for tests and for centring). */
  screenPosition(id) {
    let p;
    if (this.index.has(id)) p = this.nodes[this.index.get(id)];
    else if (this.edgeIndex.has(id)) {
      const e = this.edges[this.edgeIndex.get(id)];
      p = { x: (this.nodes[e.s].x + this.nodes[e.t].x) / 2, y: (this.nodes[e.s].y + this.nodes[e.t].y) / 2 };
    } else return null;
    return { x: p.x * this.zoom + this.pan.x, y: p.y * this.zoom + this.pan.y };
  }

  fitTo(ids, pad = 40) {
    let x1 = Infinity; let y1 = Infinity; let x2 = -Infinity; let y2 = -Infinity;
    const use = ids ? ids.map((id) => this.index.get(id)).filter((i) => i !== undefined) : this.nodes.map((_, i) => i);
    for (const i of use) {
      const n = this.nodes[i];
      x1 = Math.min(x1, n.x); x2 = Math.max(x2, n.x); y1 = Math.min(y1, n.y); y2 = Math.max(y2, n.y);
    }
    if (x1 === Infinity) return;
    const w = this.canvas.width; const h = this.canvas.height;
    this.zoom = Math.min(2, Math.max(0.01, Math.min((w - 2 * pad) / (x2 - x1 + 2 * R + 40), (h - 2 * pad) / (y2 - y1 + 2 * R + 40))));
    this.pan = { x: w / 2 - this.zoom * (x1 + x2) / 2, y: h / 2 - this.zoom * (y1 + y2) / 2 };
    this.cacheView = null;
    this.request();
  }

  select(id) {
    if (id && this.index.has(id)) this.selected = { node: this.index.get(id) };
    else if (id && this.edgeIndex.has(id)) this.selected = { edge: this.edgeIndex.get(id) };
    else this.selected = null;
    this.cacheView = null;
    this.request();
  }

  focus(nodeIds, edgeIds) {
    this.focusNodes = new Set(nodeIds);
    this.focusEdges = new Set(edgeIds);
    this.rebuild();
    this.fitTo(nodeIds, 80);
  }

  unfocus() {
    this.focusNodes = null;
    this.focusEdges = null;
    this.rebuild();
  }

  setHidden(keys) {
    this.hidden = new Set(keys);
    this.rebuild();
  }

  setTheme(theme) {
    this.theme = theme;
    this.cacheView = null;
    this.request();
  }

  counts() {
    const nodes = new Map();
    const edges = new Map();
    for (const n of this.nodes) nodes.set(n.vk, (nodes.get(n.vk) || 0) + 1);
    for (const e of this.edges) edges.set(e.kind, (edges.get(e.kind) || 0) + 1);
    return { nodes, edges };
  }

  /** image draws the whole graph (fitted) into a canvas of at most 4000 px a side. */
  image(bg) {
    const c = document.createElement('canvas');
    let x1 = Infinity; let y1 = Infinity; let x2 = -Infinity; let y2 = -Infinity;
    for (const n of this.nodes) { x1 = Math.min(x1, n.x); x2 = Math.max(x2, n.x); y1 = Math.min(y1, n.y); y2 = Math.max(y2, n.y); }
    const ww = x2 - x1 + 200; const hh = y2 - y1 + 200;
    const k = Math.min(1, 4000 / ww, 4000 / hh);
    c.width = Math.ceil(ww * k);
    c.height = Math.ceil(hh * k);
    this.drawFull(c.getContext('2d'), c.width, c.height, bg, this.theme === 'dark', k, { x: (100 - x1) * k, y: (100 - y1) * k });
    return c;
  }

  png(bg) {
    return new Promise((resolve) => this.image(bg).toBlob((b) => resolve(b), 'image/png'));
  }

  svgText(bg) {
    let x1 = Infinity; let y1 = Infinity; let x2 = -Infinity; let y2 = -Infinity;
    for (const n of this.nodes) { x1 = Math.min(x1, n.x); x2 = Math.max(x2, n.x); y1 = Math.min(y1, n.y); y2 = Math.max(y2, n.y); }
    const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]));
    const out = [`<svg xmlns="http://www.w3.org/2000/svg" viewBox="${x1 - 100} ${y1 - 100} ${x2 - x1 + 200} ${y2 - y1 + 200}">`,
      `<rect x="${x1 - 100}" y="${y1 - 100}" width="${x2 - x1 + 200}" height="${y2 - y1 + 200}" fill="${bg}"/>`];
    for (const e of this.edges) {
      const a = this.nodes[e.s]; const b = this.nodes[e.t];
      out.push(`<line x1="${a.x}" y1="${a.y}" x2="${b.x}" y2="${b.y}" stroke="${e.cross ? CROSS_ACCOUNT_COLOR : e.color}" stroke-opacity="0.55"${e.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
    }
    for (const n of this.nodes) {
      out.push(`<circle cx="${n.x}" cy="${n.y}" r="${R}" fill="${n.color}"><title>${esc(n.id)}</title></circle><text x="${n.x}" y="${n.y + R + 11}" font-size="10" text-anchor="middle" font-family="sans-serif">${esc(n.label)}</text>`);
    }
    out.push('</svg>');
    return out.join('\n');
  }
}
