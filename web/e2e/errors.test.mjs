// Error, empty and long-query states against the real `iamreach demo`:
// an unknown node, a slow answer cancelled by the user, the server stopped
// in the middle of a session.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, watchPage, settledAfter, shot } from './harness.mjs';

const FN = 'arn:aws:lambda:eu-west-1:333333333333:function:create-order';

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

test('empty state: no question yet tells the user what to do', async () => {
  await page.goto(server.url + '/');
  await page.waitForSelector('#state[data-state="empty"]');
  assert.match(await page.textContent('#state'), /search box/i);
  await shot(page, 'empty-state');
});

test('unknown node: the API error is shown, not a blank graph', async () => {
  await page.goto('about:blank');
  await page.goto(server.url + '/#/reach?from=' + encodeURIComponent('arn:aws:iam::333333333333:role/does-not-exist'));
  await page.waitForSelector('#state[data-state="error"]');
  const text = await page.textContent('#state');
  assert.match(text, /Not found/);
  assert.match(text, /does-not-exist/);
  assert.match(text, /HTTP 404, not_found/);
});

test('a long query shows progress and can be cancelled with Esc', async () => {
  await page.goto('about:blank');
  let release;
  const held = new Promise((r) => { release = r; });
  await page.route('**/api/v1/reach?**', async (route) => {
    await held; // hold the real server's answer until the user has cancelled
    await route.continue().catch(() => {});
  });
  await page.goto(server.url + '/#/reach?from=' + encodeURIComponent(FN));
  await page.waitForSelector('#state[data-state="loading"] #cancel');
  await page.waitForFunction(() => /Asking the server… \d+\.\d s/.test(document.querySelector('#progress').textContent));
  await shot(page, 'loading');
  await page.keyboard.press('Escape');
  await page.waitForSelector('#state[data-state="cancelled"]');
  assert.match(await page.textContent('#state'), /cancelled/i);
  release();
  await page.unroute('**/api/v1/reach?**');
  await settledAfter(page, () => page.click('#state button'));
  assert.equal(await page.evaluate(() => document.body.dataset.graphState), 'ready');
});

test('server stopped mid-session: a clear error with retry, and the header says so', async () => {
  await page.goto('about:blank');
  await page.goto(server.url + '/#/reach?from=' + encodeURIComponent(FN));
  await page.waitForFunction(() => document.body.dataset.graphState === 'ready');
  await server.stop();
  await settledAfter(page, () => page.selectOption('#question', 'public'));
  await page.waitForSelector('#state[data-state="error"]');
  const text = await page.textContent('#state');
  assert.match(text, /Cannot reach the iamreach server/);
  assert.ok(await page.isVisible('#retry'));
  await page.waitForSelector('#offline'); // the snapshot bar says the server is unreachable
  await page.fill('#search', 'order');
  await page.waitForSelector('.suggestions [role="alert"]');
  assert.match(await page.textContent('.suggestions'), /Search failed/);
  await page.keyboard.press('Escape');
  await shot(page, 'error-server-stopped');
  assert.deepEqual(problems.filter((p) => !p.includes('Failed to load resource')), []);
});
