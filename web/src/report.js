// The printable review report: every question asked in this session, its
// answer as a table, the gaps that could change it, and a picture of the
// graph. A standalone HTML file (its own inline style is fine: it is opened
// as a file, not served under the API's CSP).
import { columnsFor } from './table.js';

const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));

/** entryFor records one answered question for the report. */
export function entryFor(a, paramsText, image) {
  const cols = columnsFor(a);
  return {
    title: a.title, params: paramsText, at: new Date().toISOString(), truncated: a.truncated,
    columns: cols.map((c) => c.label), rows: a.rows.slice(0, 500).map((r) => cols.map((c) => String(c.text(r)))),
    total: a.rows.length, gaps: a.gaps || [], image,
    findings: a.rows.filter((r) => r.finding).map((r) => r.finding),
  };
}

export function reportHTML(meta, entries, link) {
  const gapText = (g) => [g.account && 'account ' + g.account, g.region, g.service, g.operation, g.resource, g.code].filter(Boolean).join(' · ') + ': ' + g.error;
  const parts = [];
  parts.push(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>iamreach review report</title><style>
body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#17202b}h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ccd;padding-bottom:4px}
table{border-collapse:collapse;width:100%;font-size:12px;margin:8px 0}th,td{border:1px solid #ccd;padding:4px 6px;text-align:left;vertical-align:top;word-break:break-word}th{background:#eef1f5}
.meta{color:#4d5a69}.gaps{background:#fff4d6;padding:6px 10px;border-radius:6px}img{max-width:100%;border:1px solid #ccd;margin:8px 0}
@media print{h2{page-break-before:always}h2:first-of-type{page-break-before:avoid}}</style></head><body>`);
  parts.push(`<h1>iamreach review report</h1><p class="meta">Snapshot: ${esc(meta && meta.source)} · generated ${esc(meta && meta.generatedAt)} · ${esc(meta && meta.accounts)} accounts · ${esc(meta && meta.nodes)} nodes · ${esc(meta && meta.edges)} edges · ${meta && meta.gaps && meta.gaps.length ? `INCOMPLETE: ${meta.gaps.length} collection gap(s)` : meta && meta.complete ? 'complete' : 'INCOMPLETE collection'}<br>Report written ${esc(new Date().toISOString())}${link ? ' · <a href="' + esc(link) + '">open in iamreach</a>' : ''}</p>`);
  if (meta && meta.gaps && meta.gaps.length) {
    parts.push(`<div class="gaps"><b>Collection gaps (${meta.gaps.length})</b><ul>${meta.gaps.map((g) => '<li>' + esc(gapText(g)) + '</li>').join('')}</ul></div>`);
  }
  parts.push(`<h2>Questions asked (${entries.length})</h2><ol>${entries.map((e) => `<li>${esc(e.title)} ${esc(e.params)} — ${e.total} answers</li>`).join('')}</ol>`);
  entries.forEach((e, i) => {
    parts.push(`<h2>${i + 1}. ${esc(e.title)} ${esc(e.params)}</h2><p class="meta">asked ${esc(e.at)} · ${e.total} answers${e.total > e.rows.length ? ` (first ${e.rows.length} shown)` : ''}${e.truncated ? ' · truncated by the server limit' : ''}</p>`);
    if (e.gaps.length) parts.push(`<div class="gaps"><b>Gaps that could change this answer</b><ul>${e.gaps.map((g) => '<li>' + esc(gapText(g)) + '</li>').join('')}</ul></div>`);
    if (e.image) parts.push(`<img alt="graph of the answer" src="${esc(e.image)}">`);
    parts.push(`<table><thead><tr>${e.columns.map((c) => '<th>' + esc(c) + '</th>').join('')}</tr></thead><tbody>${e.rows.map((r) => '<tr>' + r.map((c) => '<td>' + esc(c) + '</td>').join('') + '</tr>').join('')}</tbody></table>`);
  });
  const findings = entries.flatMap((e) => e.findings);
  if (findings.length) {
    parts.push(`<h2>Findings (${findings.length})</h2><table><thead><tr><th>Severity</th><th>Kind</th><th>Title</th><th>Subject</th><th>Condition</th></tr></thead><tbody>${findings.map((f) => `<tr><td>${esc(f.severity)}</td><td>${esc(f.kind)}</td><td>${esc(f.title)}</td><td>${esc(f.subject)}</td><td>${esc(f.condition)}</td></tr>`).join('')}</tbody></table>`);
  }
  parts.push('</body></html>');
  return parts.join('\n');
}
