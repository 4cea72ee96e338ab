// A server started with --token: the explorer asks for the token, then works.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, watchPage, settledAfter } from './harness.mjs';

const TOKEN = 'e2e-token-0123456789abcdef0123456789';
const FN = 'arn:aws:lambda:eu-west-1:333333333333:function:create-order';

let server;
let browser;

before(async () => {
  server = await startServer(['--token', TOKEN]);
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

test('token prompt: 401 becomes a prompt, the token unlocks the answer and the snapshot bar', { skip: !!process.env.IAMREACH_DEV_API || process.env.IAMREACH_FIXTURE === '1' }, async () => {
  const page = await browser.context.newPage();
  const problems = watchPage(page);
  await page.goto(server.url + '/#/reach?from=' + encodeURIComponent(FN));
  await page.waitForSelector('#state[data-state="error"] #token');
  assert.match(await page.textContent('#state'), /This server needs a token/);
  await page.fill('#token', 'wrong-token-wrong-token-wrong');
  await settledAfter(page, () => page.keyboard.press('Enter'));
  assert.match(await page.textContent('#state'), /not valid/);
  await page.fill('#token', TOKEN);
  await settledAfter(page, () => page.keyboard.press('Enter'));
  assert.equal(await page.evaluate(() => document.body.dataset.graphState), 'ready');
  const nodes = await page.evaluate(() => window.__iamreach.graph.cy.nodes().map((n) => n.id()));
  assert.ok(nodes.includes(FN));
  await page.waitForSelector('#meta-source');
  assert.deepEqual(problems, []);
});
