// Browser tests of the explorer against the real `iamreach demo` (the demo
// organization in demo/demo.json): search, the reach graph, edge evidence,
// the table, every standing question, permalinks, exports, keyboard,
// expand/collapse, hiding a kind, themes. Expected values come from the demo
// organization's policies (docs/demo.md), not from the UI itself.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { startServer, launch, watchPage, waitReady, settledAfter, shot, renderedMidpoint } from './harness.mjs';

const FN = 'arn:aws:lambda:eu-west-1:333333333333:function:create-order';
const ROLE = 'arn:aws:iam::333333333333:role/shop-create-order-role';
const ORDERS = 'arn:aws:dynamodb:eu-west-1:333333333333:table/orders';
const QUEUE = 'arn:aws:sqs:eu-west-1:333333333333:order-queue';
const ACCESS_EDGE = `CAN_ACCESS|${ROLE}|${ORDERS}`;

let server;
let browser;
let page;
let problems;

before(async () => {
  server = await startServer();
  browser = await launch();
  page = await browser.context.newPage();
  problems = watchPage(page);
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

/** graph returns what is drawn: node ids, edges as "KIND|from|to", hidden classes. */
function graph() {
  return page.evaluate(() => {
    const cy = window.__iamreach.graph.cy;
    if (!cy) return { nodes: [], edges: [], visibleNodes: [] };
    return {
      nodes: cy.nodes().not('.acct-group').map((n) => n.id()),
      visibleNodes: cy.nodes(':visible').not('.acct-group').map((n) => n.id()),
      edges: cy.edges().map((e) => `${e.data('kind')}|${e.data('source')}|${e.data('target')}`),
      groups: cy.nodes('.acct-group').map((n) => n.data('label')),
    };
  });
}

/** ask loads the app afresh at a permalink and waits for its answer. */
async function ask(hash) {
  await page.goto('about:blank');
  await page.goto(server.url + '/' + hash);
  await page.waitForFunction(() => Number(document.body.dataset.seq || 0) > 0);
  await waitReady(page);
}

async function pickQuestion(value) {
  await settledAfter(page, () => page.selectOption('#question', value));
  assert.ok((await page.evaluate(() => location.hash)).startsWith('#/' + value));
}

test('search a function: grouped suggestions, then its reach graph function → role → resources', async () => {
  await page.goto(server.url + '/');
  await page.waitForSelector('#meta-source');
  assert.equal(await page.textContent('#meta-source'), 'demo');
  assert.match(await page.textContent('#snapshot'), /2026-12-01T09:00:00Z/);
  await page.fill('#search', 'create-ord');
  await page.waitForSelector(`.suggestions .opt[data-id="${FN}"]`);
  const groups = await page.$$eval('.suggestions .group', (els) => els.map((e) => e.textContent));
  assert.ok(groups.some((g) => g.startsWith('Function / workload')), `groups: ${groups}`);
  await shot(page, 'search-suggestions');
  await settledAfter(page, () => page.click(`.suggestions .opt[data-id="${FN}"]`));
  assert.match(page.url(), /#\/reach\?from=/);
  const g = await graph();
  for (const id of [FN, ROLE, ORDERS, QUEUE]) assert.ok(g.nodes.includes(id), `node ${id} drawn`);
  assert.ok(g.edges.includes(`RUNS_AS|${FN}|${ROLE}`), 'function runs as its role');
  assert.ok(g.edges.includes(`CAN_ACCESS|${ROLE}|${ORDERS}`), 'role can access the orders table');
  assert.ok(g.groups.some((l) => l.includes('workloads-prod')), `account groups: ${g.groups}`);
  assert.match(await page.textContent('#summary'), /reached/);
  await shot(page, 'reach-graph');
});

test('click an edge: evidence panel shows policy name, statement index, Sid and the JSON', async () => {
  await ask(`#/reach?from=${encodeURIComponent(FN)}`);
  const p = await renderedMidpoint(page, ACCESS_EDGE);
  await page.mouse.click(p.x, p.y);
  await page.waitForSelector('#panel[data-showing="edge"]');
  const panel = await page.textContent('#panel');
  assert.match(panel, /CAN_ACCESS/);
  assert.match(panel, /create-order-access/, 'policy name');
  assert.match(panel, /arn:aws:iam::333333333333:role\/shop-create-order-role#inline\/create-order-access/, 'policy id');
  const ev = page.locator('.evidence', { hasText: 'create-order-access' }).first();
  assert.equal(await ev.locator('.ev-index').textContent(), '#0');
  assert.equal(await ev.locator('.ev-sid').textContent(), 'WriteOrders');
  const json = await ev.locator('pre.json').textContent();
  assert.deepEqual(JSON.parse(json), { Sid: 'WriteOrders', Effect: 'Allow', Action: 'dynamodb:PutItem', Resource: ORDERS });
  assert.ok(await ev.locator('pre.json .k').count() > 0, 'JSON keys highlighted');
  // the SCP/RCP/boundary statements the engine weighed are listed when the API gives them
  const api = await (await fetch(`${server.url}/api/v1/reach?from=${encodeURIComponent(FN)}`)).json();
  const edge = api.graph.edges.find((e) => e.id === ACCESS_EDGE);
  const guards = (edge.evidence || []).filter((x) => ['scp', 'rcp', 'boundary', 'session'].includes(x.policyType) && x.effect !== 'Deny');
  if (guards.length) assert.match(panel, new RegExp(`Also weighed: SCP / RCP / boundary / session \\(${guards.length}\\)`));
  else assert.doesNotMatch(panel, /Also weighed/);
  assert.match(page.url(), /sel=CAN_ACCESS/);
  await shot(page, 'edge-evidence');
});

test('table view lists every target with actions and path; a row focuses its path', async () => {
  await ask(`#/reach?from=${encodeURIComponent(FN)}&view=table`);
  const rows = await page.$$eval('#answer-table tbody tr', (trs) => trs.map((tr) => tr.textContent));
  const api = await (await fetch(`${server.url}/api/v1/reach?from=${encodeURIComponent(FN)}`)).json();
  assert.equal(rows.length, api.targets.length);
  const orders = rows.find((r) => r.includes(ORDERS));
  assert.ok(orders, 'orders table row');
  assert.match(orders, /dynamodb:PutItem/);
  assert.match(orders, /create-order → shop-create-order-role → orders/);
  await page.click(`#answer-table tbody tr:has-text("${ORDERS}")`);
  assert.equal(await page.getAttribute(`#answer-table tbody tr:has-text("${ORDERS}")`, 'aria-selected'), 'true');
  const faded = await page.evaluate((id) => window.__iamreach.graph.cy.getElementById(id).hasClass('faded'), QUEUE);
  assert.equal(faded, true, 'nodes off the focused path are faded');
  await shot(page, 'reach-table');
});

test('standing questions: each answers as a graph and a table', async () => {
  const expect = {
    external: /vendor-monitoring/,
    public: /webhook-receiver/,
    admin: /OrganizationAccountAccessRole/,
    blast: /ops-rotator/,
    least: /PassRole/,
  };
  await page.goto(server.url + '/');
  await page.waitForSelector('#meta-source');
  for (const [q, re] of Object.entries(expect)) {
    await pickQuestion(q);
    const n = Number(await page.textContent('#answer-count'));
    assert.ok(n > 0, `${q}: ${n} findings`);
    const g = await graph();
    assert.ok(g.nodes.length > 0, `${q}: graph drawn`);
    await page.click('#tab-table');
    const text = await page.textContent('#answer-table');
    assert.match(text, re, q);
    await page.click('#tab-graph');
    await shot(page, 'question-' + q);
  }
  // blast radius is ranked: scores descend
  await pickQuestion('blast');
  await page.click('#tab-table');
  const scores = await page.$$eval('#answer-table tbody tr td:first-child', (tds) => tds.map((td) => Number(td.textContent)));
  assert.ok(scores.length > 1);
  assert.deepEqual(scores, [...scores].sort((a, b) => b - a));
  assert.match(await page.textContent('#answer-table tbody tr:first-child'), /ops-rotator/);
  await page.click('#tab-graph');
});

test('who can reach this, and paths from A to B', async () => {
  await ask(`#/reachers?to=${encodeURIComponent(ORDERS)}`);
  let g = await graph();
  assert.ok(g.nodes.includes(FN), 'create-order can reach the orders table');
  await shot(page, 'reachers-graph');
  await ask(`#/paths?from=${encodeURIComponent(FN)}&to=${encodeURIComponent(ORDERS)}`);
  g = await graph();
  assert.ok(g.edges.includes(`RUNS_AS|${FN}|${ROLE}`));
  assert.ok(g.edges.includes(`CAN_ACCESS|${ROLE}|${ORDERS}`));
  await page.click('#tab-table');
  assert.match(await page.textContent('#answer-table'), /create-order → shop-create-order-role → orders/);
  await page.click('#tab-graph');
  await shot(page, 'paths');
});

test('permalink round trip: question, view and selection come back', async () => {
  await ask(`#/reach?from=${encodeURIComponent(FN)}`);
  await page.evaluate((id) => window.__iamreach.selectElement(id), ACCESS_EDGE);
  await settledAfter(page, () => page.selectOption('#layout', 'layered'));
  await page.click('input[data-kind="edge:RUNS_AS"]');
  const link = page.url();
  assert.match(link, /layout=layered/);
  assert.match(link, /hide=edge%3ARUNS_AS|hide=edge:RUNS_AS/);
  const other = await browser.context.newPage();
  watchPage(other);
  await other.goto(link);
  await other.waitForSelector('#panel[data-showing="edge"]');
  assert.match(await other.textContent('#panel'), /WriteOrders/);
  assert.equal(await other.inputValue('#layout'), 'layered');
  assert.equal(await other.isChecked('input[data-kind="edge:RUNS_AS"]'), false);
  const hidden = await other.evaluate((id) => window.__iamreach.graph.cy.getElementById(id).hasClass('kind-hidden'), `RUNS_AS|${FN}|${ROLE}`);
  assert.equal(hidden, true);
  await other.close();
  // back to a fresh view for the next tests
  await ask(`#/reach?from=${encodeURIComponent(FN)}`);
});

test('exports: PNG, SVG, JSON, CSV and the printable report download', async () => {
  await ask(`#/reach?from=${encodeURIComponent(FN)}`);
  const grab = async (kind) => {
    await page.click('#export-menu summary');
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click(`[data-export="${kind}"]`)]);
    const file = await dl.path();
    return { name: dl.suggestedFilename(), data: fs.readFileSync(file) };
  };
  const png = await grab('png');
  assert.match(png.name, /\.png$/);
  assert.deepEqual([...png.data.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
  const svg = await grab('svg');
  assert.match(svg.name, /\.svg$/);
  assert.match(svg.data.toString(), /<svg[\s\S]*create-order/);
  const json = await grab('json');
  const doc = JSON.parse(json.data.toString());
  assert.equal(doc.question, 'reach');
  assert.equal(doc.answer.origin.id, FN);
  assert.ok(doc.answer.targets.some((t) => t.node.id === ORDERS));
  const csv = await grab('csv');
  const lines = csv.data.toString().trim().split(/\r\n/);
  assert.equal(lines[0], 'Reached,Kind,Account,Actions,Only if,Path,Hops');
  assert.ok(lines.some((l) => l.startsWith(ORDERS + ',') && l.includes('dynamodb:PutItem (Write)')));
  const report = await grab('report');
  const html = report.data.toString();
  assert.match(report.name, /report\.html$/);
  assert.match(html, /iamreach review report/);
  assert.match(html, /What can this reach\?/);
  assert.match(html, /create-order/);
});

test('keyboard: / focuses search, arrows pick a suggestion and step through results, Esc clears', async () => {
  await page.goto(server.url + '/');
  await page.waitForSelector('#meta-source');
  await page.keyboard.press('/');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'search');
  await page.keyboard.type('create-order');
  await page.waitForSelector(`.suggestions .opt[data-id="${FN}"]`);
  const ids = await page.$$eval('.suggestions .opt', (os) => os.map((o) => o.dataset.id));
  const target = ids.indexOf(FN);
  for (let i = 0; i < target; i++) await page.keyboard.press('ArrowDown');
  assert.equal(await page.getAttribute(`.suggestions .opt[data-id="${FN}"]`, 'aria-selected'), 'true');
  await settledAfter(page, () => page.keyboard.press('Enter'));
  assert.match(page.url(), /function%3Acreate-order|function:create-order/);
  await page.keyboard.press('t');
  await page.keyboard.press('ArrowDown');
  assert.equal(await page.$$eval('#answer-table tbody tr[aria-selected="true"]', (r) => r.length), 1);
  const first = await page.getAttribute('#answer-table tbody tr[aria-selected="true"]', 'data-key');
  await page.keyboard.press('ArrowDown');
  const second = await page.getAttribute('#answer-table tbody tr[aria-selected="true"]', 'data-key');
  assert.notEqual(first, second);
  await page.keyboard.press('ArrowUp');
  assert.equal(await page.getAttribute('#answer-table tbody tr[aria-selected="true"]', 'data-key'), first);
  assert.equal(await page.isVisible('#panel'), true);
  await page.keyboard.press('Escape');
  assert.equal(await page.isVisible('#panel'), false);
  assert.equal(await page.$$eval('#answer-table tbody tr[aria-selected="true"]', (r) => r.length), 0);
  await page.keyboard.press('g');
});

test('expand and collapse neighbours; hide a kind', async () => {
  await ask(`#/reach?from=${encodeURIComponent(FN)}`);
  const before = (await graph()).nodes.length;
  await page.evaluate((id) => window.__iamreach.selectElement(id), ROLE);
  await page.click('#expand');
  await page.waitForFunction((n) => window.__iamreach.graph.cy.nodes().not('.acct-group').length > n, before);
  const expanded = (await graph()).nodes.length;
  assert.ok(expanded > before, `${expanded} > ${before}`);
  await page.click('#collapse');
  assert.equal((await graph()).nodes.length, before);
  await page.click('input[data-kind="role"]');
  const g = await graph();
  assert.ok(!g.visibleNodes.includes(ROLE), 'roles hidden');
  assert.ok(g.visibleNodes.includes(FN), 'functions still shown');
  await page.click('input[data-kind="role"]');
  assert.ok((await graph()).visibleNodes.includes(ROLE));
});

/** contrasts measures WCAG contrast ratios of the page's text against what is behind it. */
function contrasts() {
  return page.evaluate(() => {
    const rgb = (c) => (c.match(/[\d.]+/g) || []).map(Number);
    const lum = ([r, g, b]) => {
      const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const bgOf = (el) => {
      for (let e = el; e; e = e.parentElement) {
        const c = rgb(getComputedStyle(e).backgroundColor);
        if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) return c.slice(0, 3);
      }
      return [255, 255, 255];
    };
    const out = {};
    for (const sel of ['body', '.brand', '#search', '#snapshot', '#summary', '.askbar .title', '.askbar .hint',
      '#tab-graph', '#tab-table', '.legend h3', '.legend label', '#answer-table td', '#answer-table th', '.cond', '.lvl', '#panel dt', '#panel dd', '.ev-meta', 'pre.json .k', 'pre.json .s']) {
      const el = document.querySelector(sel);
      if (!el || !el.offsetParent && sel !== 'body') continue;
      const a = lum(rgb(getComputedStyle(el).color).slice(0, 3));
      const b = lum(bgOf(el));
      out[sel] = Math.round(((Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)) * 100) / 100;
    }
    return out;
  });
}

test('dark and light themes keep readable contrast (WCAG AA 4.5:1 for text); no CSP violation or page error', async () => {
  await ask(`#/reach?from=${encodeURIComponent(FN)}&view=table`);
  await page.click('#answer-table tbody tr');
  await page.click('#tab-graph');
  await page.evaluate((id) => window.__iamreach.selectElement(id), ACCESS_EDGE);
  await page.click('#tab-table');
  for (const theme of ['light', 'dark']) {
    if ((await page.getAttribute('html', 'data-theme')) !== theme) await page.click('#theme');
    assert.equal(await page.getAttribute('html', 'data-theme'), theme);
    const c = await contrasts();
    assert.ok(Object.keys(c).length >= 12, `measured ${Object.keys(c).join(', ')}`);
    if (process.env.SHOW_CONTRAST) console.log(theme, JSON.stringify(c));
    const low = Object.entries(c).filter(([, r]) => r < 4.5);
    assert.deepEqual(low, [], `${theme}: ${JSON.stringify(c)}`);
  }
  await page.click('#tab-graph');
  await shot(page, 'reach-graph-dark');
  await page.click('#theme');
  assert.equal(await page.getAttribute('html', 'data-theme'), 'light');
  assert.deepEqual(problems, []);
});

test('a large answer (2,500 nodes, 8,000 edges) is drawn by the canvas renderer and stays clickable', async () => {
  const { generate } = await import('./bench.mjs');
  const answer = generate(2500, 8000, 7);
  await page.goto('about:blank');
  await page.route('**/api/v1/reach?**', (route) => route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(answer) }));
  try {
    await page.goto(server.url + '/#/reach?from=' + encodeURIComponent(answer.origin.id));
    await page.waitForFunction(() => document.body.dataset.graphState === 'ready', null, { timeout: 60000 });
    const drawn = await page.evaluate(() => ({ n: window.__iamreach.graph.nodeCount(), e: window.__iamreach.graph.edgeCount(), r: window.__iamreach.graph.renderer }));
    assert.deepEqual(drawn, { n: 2500, e: 8000, r: 'canvas 2D (large answer)' });
    assert.equal(await page.textContent('#answer-count'), String(answer.targets.length));
    // zoom onto the origin's RUNS_AS edge, then click it like a user
    const runsAs = answer.graph.edges.find((e) => e.kind === 'RUNS_AS');
    await page.evaluate((ids) => new Promise((resolve) => {
      window.__iamreach.graph.big.fitTo(ids, 200);
      requestAnimationFrame(() => requestAnimationFrame(resolve)); // the fitted picture is drawn
    }), [runsAs.from, runsAs.to]);
    const p = await renderedMidpoint(page, runsAs.id);
    await page.mouse.click(p.x, p.y);
    await page.waitForSelector('#panel[data-showing="edge"]');
    assert.match(await page.textContent('#panel-title'), /bench-origin → bench-role-0/);
    // the table and the exports work on the large answer too
    await page.click('#export-menu summary');
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click('[data-export="png"]')]);
    assert.match(dl.suggestedFilename(), /\.png$/);
  } finally {
    await page.unroute('**/api/v1/reach?**');
  }
});

test('why not: what blocks create-order from reading the customers table', async () => {
  await ask(`#/reach?from=${encodeURIComponent(FN)}`);
  await page.evaluate((id) => window.__iamreach.selectElement(id), FN);
  await page.waitForSelector('#whynot-to');
  await page.fill('#whynot-to', 'arn:aws:dynamodb:eu-west-1:333333333333:table/customers');
  await page.fill('#whynot-action', 'dynamodb:GetItem');
  await page.click('#whynot-run');
  await page.waitForSelector('#whynot-result .whynot');
  const res = await page.textContent('#whynot-result');
  assert.match(res, /ImplicitlyDenied/);
  assert.match(res, /shop-create-order-role/);
  assert.match(res, /Blocked by: no identity policy allows/);
  await shot(page, 'why-not');
});
