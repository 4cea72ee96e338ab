// Browser-test harness: starts the real `iamreach demo` on a free loopback
// port (or, with IAMREACH_FIXTURE=1, the development fixture), and Debian's
// Chromium through playwright-core with a fresh profile. Never downloads a
// browser.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startFixture, startProxy } from './fixture.mjs';
import { smallGraph } from './fixture-graph.mjs';

export const WEB_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const REPO = path.resolve(WEB_DIR, '..');
export const DIST = path.join(WEB_DIR, 'dist');
export const SHOTS = path.join(REPO, 'docs', 'screenshots');
export const UPDATE_SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === '1';

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function waitHealthy(url, proc, timeoutMs = 90000) {
  const end = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < end) {
    if (proc && proc.exitCode !== null) throw new Error(`iamreach exited with ${proc.exitCode} before serving: ${last}`);
    try {
      const r = await fetch(url + '/api/v1/health');
      if (r.ok) return;
      last = `health ${r.status}`;
    } catch (err) {
      last = String(err.message || err);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`iamreach did not become healthy at ${url}: ${last}`);
}

/** startServer starts `iamreach demo` (with extra flags); returns {url, stop, logs}. */
export async function startServer(extraArgs = []) {
  if (process.env.IAMREACH_URL) { // an already running server (development only)
    return { url: process.env.IAMREACH_URL, stop: async () => {}, external: true, logs: () => '' };
  }
  if (process.env.IAMREACH_DEV_API) {
    // development only: web/dist from disk, API proxied to an already running server
    const f = await startProxy(DIST, process.env.IAMREACH_DEV_API);
    return { url: f.url, stop: f.close, external: true, logs: () => '' };
  }
  if (process.env.IAMREACH_FIXTURE === '1') {
    const f = await startFixture(DIST, smallGraph());
    return { url: f.url, stop: f.close, fixture: true, logs: () => '' };
  }
  const bin = process.env.IAMREACH_BIN || path.join(REPO, '.build', 'bin', 'iamreach');
  if (!fs.existsSync(bin)) throw new Error(`no iamreach binary at ${bin}: run make build (or set IAMREACH_BIN)`);
  const port = await freePort();
  const proc = spawn(bin, ['demo', '--listen', `127.0.0.1:${port}`, ...extraArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
  let logs = '';
  proc.stdout.on('data', (d) => { logs += d; });
  proc.stderr.on('data', (d) => { logs += d; });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitHealthy(url, proc);
  } catch (err) {
    proc.kill('SIGKILL');
    throw new Error(err.message + '\n' + logs.slice(-2000));
  }
  const stop = () => new Promise((resolve) => {
    if (proc.exitCode !== null) return resolve();
    proc.once('exit', () => resolve());
    proc.kill('SIGTERM');
    setTimeout(() => { if (proc.exitCode === null) proc.kill('SIGKILL'); }, 5000);
  });
  return { url, stop, proc, logs: () => logs };
}

/** launch starts Chromium with a fresh profile; returns {context, close}. */
export async function launch() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iamreach-chromium-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    viewport: { width: 1400, height: 860 },
    acceptDownloads: true,
  });
  return {
    context,
    close: async () => {
      await context.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** watchPage collects page errors and CSP violations so tests can assert there are none. */
export function watchPage(page) {
  const problems = [];
  page.on('pageerror', (err) => problems.push('pageerror: ' + err.message));
  page.on('console', (msg) => {
    const t = msg.text();
    if (msg.type() === 'error' && /Content Security Policy|Refused to/i.test(t)) problems.push('csp: ' + t);
  });
  return problems;
}

/** waitReady waits until the graph of the current answer is laid out. */
export async function waitReady(page) {
  await page.waitForFunction(() => document.body.dataset.graphState === 'ready' || document.body.dataset.state === 'error' || document.body.dataset.state === 'empty', null, { timeout: 30000 });
}

/** settledAfter runs action and waits until the page has settled on a new answer (or error/empty state). */
export async function settledAfter(page, action) {
  const seq = await page.evaluate(() => Number(document.body.dataset.seq || 0));
  await action();
  await page.waitForFunction((s) => Number(document.body.dataset.seq || 0) > s, seq, { timeout: 30000 });
}

/** shot saves a screenshot into docs/screenshots when UPDATE_SCREENSHOTS=1. */
export async function shot(page, name) {
  if (!UPDATE_SCREENSHOTS) return;
  fs.mkdirSync(SHOTS, { recursive: true });
  const file = path.join(SHOTS, name + '.png');
  await page.screenshot({ path: file, type: 'png' });
  // keep committed screenshots small (≤ 150 KB): quantize with Debian's pngquant when it is there
  const q = spawnSync('pngquant', ['--force', '--skip-if-larger', '--ext', '.png', '--quality', '55-85', '--speed', '3', file]);
  if (q.error) console.error('pngquant not found: screenshots are not compressed (apt-get install pngquant)');
}

/**
 * renderedMidpoint: page coordinates of a node, or of a point on an edge that no node covers (layouts are
 * force-directed, so a node may sit on an edge's midpoint: try points along the edge as a user would).
 */
export async function renderedMidpoint(page, id) {
  const p = await page.evaluate((eid) => {
    const g = window.__iamreach.graph;
    const box = g.container.getBoundingClientRect();
    const at = (x, y) => ({ x: box.left + x, y: box.top + y });
    if (g.cy) {
      const el = g.cy.getElementById(eid);
      if (!el.length) return null;
      if (el.isNode()) { const q = el.renderedPosition(); return at(q.x, q.y); }
      const a = el.source().renderedPosition();
      const b = el.target().renderedPosition();
      const nodes = g.cy.nodes(':visible').not('.acct-group').map((n) => n.renderedBoundingBox({ includeLabels: true }));
      for (const t of [0.5, 0.4, 0.6, 0.3, 0.7, 0.25, 0.75]) {
        const mid = t === 0.5 ? el.renderedMidpoint() : { x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t };
        if (!nodes.some((bb) => mid.x >= bb.x1 - 3 && mid.x <= bb.x2 + 3 && mid.y >= bb.y1 - 3 && mid.y <= bb.y2 + 3)) return at(mid.x, mid.y);
      }
      const m = el.renderedMidpoint();
      return at(m.x, m.y);
    }
    if (g.big) {
      const q = g.big.screenPosition(eid);
      return q && at(q.x, q.y);
    }
    return null;
  }, id);
  if (!p) throw new Error(`${id} is not drawn`);
  return p;
}
