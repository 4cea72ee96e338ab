// The answer as a table: one row per target / path / finding, sortable,
// keyboard-navigable; the same columns feed the CSV export.
import { h, fill, shortName } from './dom.js';
import { actionsText, pathText } from './questions.js';

function nodeCell(a, id, node) {
  const n = node || a.nodes.get(id) || { id, name: shortName(id) };
  return h('div', null, h('div', null, n.name || shortName(n.id)), h('div', { class: 'sub' }, n.id));
}

function actionsCell(actions) {
  return h('div', null, (actions || []).slice(0, 12).map((x) => h('div', null,
    h('code', null, x.action), x.level ? h('span', { class: 'lvl' }, x.level) : null,
    x.condition ? h('div', null, h('span', { class: 'cond', title: 'allowed only if' }, 'if ' + x.condition)) : null)),
  (actions || []).length > 12 ? h('div', { class: 'sub' }, `+${actions.length - 12} more`) : null);
}

function condCell(conds) {
  return h('div', null, (conds || []).map((c) => h('div', null, h('span', { class: 'cond' }, c))));
}

function pathCell(a, path) {
  const out = [];
  (path.nodes || []).forEach((id, i) => {
    if (i) out.push(h('span', { class: 'arrow' }, ' → '));
    const n = a.nodes.get(id);
    out.push(h('span', { title: id }, (n && n.name) || shortName(id)));
  });
  return h('div', { class: 'pathcell' }, out);
}

/** columns for an answer: {label, cell(row) → DOM, text(row) → string for CSV and sorting}. */
export function columnsFor(a) {
  const kindOf = (n) => (n ? n.kind + (n.type ? ' · ' + n.type : '') : '');
  if (a.q === 'reach' || a.q === 'reachers') {
    return [
      { label: a.q === 'reach' ? 'Reached' : 'Can reach it', cell: (r) => nodeCell(a, r.node.id, r.node), text: (r) => r.node.id },
      { label: 'Kind', cell: (r) => kindOf(r.node), text: (r) => kindOf(r.node) },
      { label: 'Account', cell: (r) => r.node.account || '', text: (r) => r.node.account || '' },
      { label: 'Actions', cell: (r) => actionsCell(r.actions), text: (r) => actionsText(r.actions) },
      { label: 'Only if', cell: (r) => condCell(r.conditions), text: (r) => (r.conditions || []).join(' AND ') },
      { label: 'Path', cell: (r) => pathCell(a, r.path), text: (r) => pathText(a, r.path) },
      { label: 'Hops', cell: (r) => String(r.path.edges.length), text: (r) => r.path.edges.length, num: true },
    ];
  }
  if (a.q === 'paths') {
    return [
      { label: '#', cell: (r) => String(r.index), text: (r) => r.index, num: true },
      { label: 'Path', cell: (r) => pathCell(a, r.path), text: (r) => pathText(a, r.path) },
      { label: 'Hops', cell: (r) => String(r.path.edges.length), text: (r) => r.path.edges.length, num: true },
      { label: 'Only if', cell: (r) => condCell(r.conditions), text: (r) => (r.conditions || []).join(' AND ') },
    ];
  }
  if (a.q === 'node') {
    return [
      { label: 'Edge', cell: (r) => r.edge.kind, text: (r) => r.edge.kind },
      { label: 'From', cell: (r) => nodeCell(a, r.edge.from), text: (r) => r.edge.from },
      { label: 'To', cell: (r) => nodeCell(a, r.edge.to), text: (r) => r.edge.to },
      { label: 'Actions', cell: (r) => actionsCell(r.edge.actions), text: (r) => actionsText(r.edge.actions) },
      { label: 'Only if', cell: (r) => condCell(r.edge.condition ? [r.edge.condition] : []), text: (r) => r.edge.condition || '' },
    ];
  }
  const cols = [
    { label: 'Severity', cell: (r) => h('span', { class: 'sev sev-' + r.finding.severity }, r.finding.severity), text: (r) => r.finding.severity },
    { label: 'Finding', cell: (r) => h('div', null, h('div', null, r.finding.title), r.finding.detail ? h('div', { class: 'sub' }, r.finding.detail) : null), text: (r) => r.finding.title },
    { label: 'Subject', cell: (r) => nodeCell(a, r.finding.subject), text: (r) => r.finding.subject },
    { label: 'Target', cell: (r) => (r.finding.target ? nodeCell(a, r.finding.target) : ''), text: (r) => r.finding.target || '' },
    { label: 'Account', cell: (r) => r.finding.account || '', text: (r) => r.finding.account || '' },
    { label: 'Only if', cell: (r) => condCell(r.finding.condition ? [r.finding.condition] : []), text: (r) => r.finding.condition || '' },
    { label: 'Kind', cell: (r) => r.finding.kind, text: (r) => r.finding.kind },
  ];
  if (a.q === 'blast') cols.splice(0, 0, { label: 'Score', cell: (r) => String(r.finding.score || 0), text: (r) => r.finding.score || 0, num: true });
  return cols;
}

/** renderTable draws the rows; onPick(row) when a row is chosen. */
export function renderTable(container, a, { onPick, selectedKey }) {
  const cols = columnsFor(a);
  let rows = a.rows.slice();
  let sortCol = -1;
  let asc = true;
  const tbody = h('tbody');
  const draw = () => {
    fill(tbody, rows.slice(0, 2000).map((r) => h('tr', {
      'data-key': r.key, 'aria-selected': r.key === selectedKey ? 'true' : 'false', tabindex: -1,
      onclick: () => onPick(r),
    }, cols.map((c) => h('td', null, c.cell(r))))));
  };
  const head = h('tr', null, cols.map((c, i) => h('th', {
    scope: 'col', title: 'Sort',
    onclick: () => {
      asc = sortCol === i ? !asc : true;
      sortCol = i;
      rows.sort((x, y) => {
        const a1 = c.text(x);
        const b1 = c.text(y);
        const d = c.num ? a1 - b1 : String(a1).localeCompare(String(b1));
        return asc ? d : -d;
      });
      draw();
    },
  }, c.label)));
  draw();
  const note = a.rows.length > 2000 ? h('p', { class: 'sub' }, `Showing 2,000 of ${a.rows.length} rows; export CSV for all.`) : null;
  fill(container, h('table', { class: 'grid', id: 'answer-table' }, h('thead', null, head), tbody), note);
  return { rowsInOrder: () => rows };
}

/** csvFor renders the table as CSV (RFC 4180 quoting). */
export function csvFor(a) {
  const cols = columnsFor(a);
  const q = (v) => {
    const s = String(v ?? '');
    return /[",\n\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  };
  const lines = [cols.map((c) => q(c.label)).join(',')];
  for (const r of a.rows) lines.push(cols.map((c) => q(c.text(r))).join(','));
  return lines.join('\r\n') + '\r\n';
}
