// The side panel: a node's properties, or an edge's evidence (the statements
// that grant it with their JSON highlighted, the conditions that remain, and
// the SCP/RCP/boundary/deny statements that were weighed).
import { h, fill, shortName } from './dom.js';
import { EDGE_STYLES } from './kinds.js';

/** highlightJSON renders a value as indented JSON with token classes (no innerHTML). */
export function highlightJSON(value) {
  let text;
  if (typeof value === 'string') {
    try { text = JSON.stringify(JSON.parse(value), null, 2); } catch { text = value; }
  } else {
    text = JSON.stringify(value, null, 2);
  }
  const pre = h('pre', { class: 'json' });
  const re = /("(?:\\.|[^"\\])*")(\s*:)?|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|\b(true|false|null)\b/g;
  let last = 0;
  let m;
  while ((m = re.exec(text))) {
    if (m.index > last) pre.appendChild(document.createTextNode(text.slice(last, m.index)));
    if (m[1]) {
      pre.appendChild(h('span', { class: m[2] ? 'k' : 's' }, m[1]));
      if (m[2]) pre.appendChild(document.createTextNode(m[2]));
    } else if (m[3]) pre.appendChild(h('span', { class: 'n' }, m[3]));
    else pre.appendChild(h('span', { class: 'l' }, m[4]));
    last = re.lastIndex;
  }
  if (last < text.length) pre.appendChild(document.createTextNode(text.slice(last)));
  return pre;
}

const POLICY_TYPE_LABEL = {
  identity: 'identity policy', resource: 'resource policy', trust: 'trust policy', boundary: 'permissions boundary',
  session: 'session policy', scp: 'SCP', rcp: 'RCP', assumed: 'assumed (not in snapshot)', structural: 'structure',
};

function evidenceBlock(ev) {
  const effect = (ev.effect || '').toLowerCase();
  return h('div', { class: 'evidence', 'data-policy-id': ev.policyId || '' },
    h('div', { class: 'ev-head' },
      h('span', { class: 'badge ' + (effect === 'deny' ? 'deny' : 'allow') }, ev.effect || '?'),
      h('span', { class: 'badge' }, POLICY_TYPE_LABEL[ev.policyType] || ev.policyType || 'policy'),
      h('span', { class: 'ev-name' }, ev.policyName || shortName(ev.policyId))),
    h('div', { class: 'ev-meta' }, ev.policyId || ''),
    h('dl', null,
      h('dt', null, 'Statement'), h('dd', { class: 'ev-index' }, `#${ev.statementIndex ?? '?'}`),
      h('dt', null, 'Sid'), h('dd', { class: 'ev-sid' }, ev.sid || '(none)'),
      ev.level ? [h('dt', null, 'Attached at'), h('dd', null, ev.level)] : null,
      ev.note ? [h('dt', null, 'Note'), h('dd', null, ev.note)] : null),
    ev.statement ? highlightJSON(ev.statement) : h('div', { class: 'ev-meta' }, 'statement text not recorded'));
}

function props(rows) {
  return h('dl', null, rows.filter(([, v]) => v !== undefined && v !== null && v !== '').map(([k, v]) => [h('dt', null, k), h('dd', null, v)]));
}

/** Panel renders into the aside; actions are callbacks into the app. */
export class Panel {
  constructor(aside, actions) {
    this.aside = aside;
    this.title = aside.querySelector('#panel-title');
    this.body = aside.querySelector('#panel-body');
    this.actions = actions;
    aside.querySelector('#panel-close').addEventListener('click', () => actions.close());
  }

  hide() { this.aside.hidden = true; }

  showNode(n, ctx) {
    this.aside.hidden = false;
    this.aside.dataset.showing = 'node';
    fill(this.title, n.name || shortName(n.id));
    const a = this.actions;
    const tags = Object.entries(n.tags || {}).map(([k, v]) => `${k}=${v}`).join(', ');
    const extra = Object.entries(n.props || {}).map(([k, v]) => [k, v]);
    const body = [
      props([['Kind', n.kind], ['Type', n.type], ['ID / ARN', h('code', null, n.id)], ['Account', n.account], ['Region', n.region], ['Tags', tags]]),
      extra.length ? [h('h3', null, 'Properties'), props(extra)] : null,
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'primary', onclick: () => a.ask('reach', { from: n.id }) }, 'What can this reach?'),
        h('button', { type: 'button', onclick: () => a.ask('reachers', { to: n.id }) }, 'Who can reach this?'),
        h('button', { type: 'button', onclick: () => a.pathFrom(n.id) }, 'Paths from here…'),
        h('button', { type: 'button', onclick: () => a.pathTo(n.id) }, 'Paths to here…')),
      h('div', { class: 'actions' },
        ctx.inGraph ? h('button', { type: 'button', id: 'expand', onclick: () => a.expand(n.id) }, 'Expand neighbours') : null,
        ctx.inGraph ? h('button', { type: 'button', id: 'collapse', onclick: () => a.collapse(n.id) }, 'Collapse') : null,
        ctx.hasPath ? h('button', { type: 'button', id: 'focus-path', onclick: () => a.focusPath(n.id) }, 'Focus path') : null,
        h('button', { type: 'button', onclick: () => a.ask('node', { id: n.id }) }, 'Explore neighbours')),
      ctx.reachRow ? [h('h3', null, 'Reached with'), this.actionsList(ctx.reachRow.actions), ctx.reachRow.conditions.length ? [h('h3', null, 'Only if'), ...ctx.reachRow.conditions.map((c) => h('div', null, h('span', { class: 'cond' }, c)))] : null] : null,
      ctx.whynot ? this.whyNotForm(n, ctx) : null,
    ];
    fill(this.body, body);
  }

  actionsList(actions) {
    return h('ul', { class: 'actions-list' }, (actions || []).map((x) => h('li', null, h('code', null, x.action),
      x.level ? h('span', { class: 'lvl' }, x.level) : null, x.condition ? [' ', h('span', { class: 'cond' }, 'only if ' + x.condition)] : null)));
  }

  showEdge(e, nodes) {
    this.aside.hidden = false;
    this.aside.dataset.showing = 'edge';
    const name = (id) => (nodes.get(id) && nodes.get(id).name) || shortName(id);
    fill(this.title, `${name(e.from)} → ${name(e.to)}`);
    const style = EDGE_STYLES[e.kind];
    const evidence = e.evidence || [];
    const grants = evidence.filter((x) => (x.effect || '').toLowerCase() !== 'deny' && !['scp', 'rcp', 'boundary', 'session'].includes(x.policyType));
    const guards = evidence.filter((x) => ['scp', 'rcp', 'boundary', 'session'].includes(x.policyType) && (x.effect || '').toLowerCase() !== 'deny');
    const denies = evidence.filter((x) => (x.effect || '').toLowerCase() === 'deny').concat(e.denies || []);
    fill(this.body,
      props([
        ['Edge', h('span', null, e.kind, style ? ` (${style.label})` : '')],
        ['From', h('code', null, e.from)], ['To', h('code', null, e.to)],
        ['Technique', e.technique],
        ['Cross-account', e.crossAccount ? 'yes' : ''],
        ['Unconditional', e.conditional ? 'no' : 'yes'],
      ]),
      e.condition ? [h('h3', null, 'Remaining conditions (allowed only if)'), h('div', { class: 'edge-condition' }, h('span', { class: 'cond' }, e.condition))] : null,
      (e.actions || []).length ? [h('h3', null, `Actions (${e.actions.length})`), this.actionsList(e.actions)] : null,
      h('h3', null, `Granted by (${grants.length})`),
      grants.length ? grants.map(evidenceBlock) : h('p', { class: 'ev-meta' }, e.kind.startsWith('CAN_') || e.kind === 'RUNS_AS' ? 'No statement recorded for this edge.' : 'A structural fact of the snapshot (no policy decision).'),
      guards.length ? [h('h3', null, `Also weighed: SCP / RCP / boundary / session (${guards.length})`), guards.map(evidenceBlock)] : null,
      denies.length ? [h('h3', null, `Deny statements weighed (${denies.length})`), denies.map(evidenceBlock)] : null,
      h('div', { class: 'actions' },
        h('button', { type: 'button', onclick: () => this.actions.selectNode(e.from) }, 'Show source'),
        h('button', { type: 'button', onclick: () => this.actions.selectNode(e.to) }, 'Show target')));
  }

  showFinding(f, nodes) {
    this.aside.hidden = false;
    this.aside.dataset.showing = 'finding';
    fill(this.title, f.title || f.kind);
    const name = (id) => (nodes.get(id) && nodes.get(id).name) || shortName(id);
    fill(this.body,
      props([['Severity', h('span', { class: 'sev sev-' + f.severity }, f.severity)], ['Kind', f.kind], ['Subject', name(f.subject)],
        ['Target', f.target ? name(f.target) : ''], ['Account', f.account], ['Score', f.score ? String(f.score) : ''], ['Detail', f.detail]]),
      f.condition ? [h('h3', null, 'Holds only if'), h('span', { class: 'cond' }, f.condition)] : null,
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'primary', onclick: () => this.actions.ask('reach', { from: f.subject }) }, 'What can the subject reach?'),
        f.target ? h('button', { type: 'button', onclick: () => this.actions.ask('paths', { from: f.subject, to: f.target }) }, 'Paths subject → target') : null),
      (f.evidence || []).length ? [h('h3', null, `Evidence (${f.evidence.length})`), f.evidence.map(evidenceBlock)] : null,
      f.suggestion ? [h('h3', null, 'Suggested narrower policy'), highlightJSON(f.suggestion)] : null);
  }

  whyNotForm(n, ctx) {
    const to = h('input', { type: 'text', id: 'whynot-to', placeholder: 'resource or role ARN', value: ctx.whynotTo || '', 'aria-label': 'Resource ARN', size: 28 });
    const action = h('input', { type: 'text', id: 'whynot-action', placeholder: 'action, e.g. s3:GetObject', 'aria-label': 'Action', size: 20 });
    const out = h('div', { id: 'whynot-result' });
    const run = async () => {
      fill(out, 'Asking…');
      try {
        const r = await this.actions.whynot(n.id, to.value.trim(), action.value.trim());
        const results = r.results || [];
        if (!results.length) { fill(out, h('p', null, 'No identity of this origin was decided (nothing it runs as or can assume).')); return; }
        fill(out, results.map((x) => h('div', { class: 'evidence whynot', 'data-result': x.result },
          h('div', { class: 'ev-head' },
            h('span', { class: 'badge ' + (x.result === 'Allowed' ? 'allow' : 'deny') }, x.result),
            h('span', { class: 'ev-name' }, shortName(x.identity)), h('code', null, x.action)),
          (x.via || []).length ? h('div', { class: 'ev-meta' }, 'via ' + x.via.map(shortName).join(' → ')) : null,
          x.blockedBy ? h('p', { class: 'blocked' }, h('b', null, 'Blocked by: '), x.blockedBy) : null,
          x.condition ? h('div', null, h('span', { class: 'cond' }, 'only if ' + x.condition)) : null,
          (x.denying || []).length ? [h('h3', null, 'Denying statements'), x.denying.map(evidenceBlock)] : null,
          (x.conditionalDenies || []).length ? [h('h3', null, 'Conditional denies'), x.conditionalDenies.map(evidenceBlock)] : null,
          (x.allowing || []).length ? [h('h3', null, 'Allowing statements'), x.allowing.map(evidenceBlock)] : null,
          (x.notes || []).length ? h('ul', null, x.notes.map((t) => h('li', null, t))) : null)));
      } catch (err) {
        fill(out, h('p', { class: 'sev-high', role: 'alert' }, err.message));
      }
    };
    [to, action].forEach((el) => el.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') run(); }));
    return h('div', null, h('h3', null, 'Why not? (what blocks an action)'),
      h('div', { class: 'actions' }, to, action, h('button', { type: 'button', id: 'whynot-run', onclick: run }, 'Explain')), out);
  }
}
