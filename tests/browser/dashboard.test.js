// Browser test of the dashboard: Debian's chromium driven by playwright-core.
// Opens the dashboard on the sample store, picks ISR-SYR, checks the chart
// and the map markers, opens an event and reads its "why", codes the seed
// article in "try it", and checks that a <script> in a sentence shows as
// text.  Screenshots go to build/test-artifacts/.
// usage: node tests/browser/dashboard.test.js BUILD_DIR
'use strict';
const { test } = require('node:test');
const assert = require('node:assert');
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { chromium } = require('../../dashboard/node_modules/playwright-core');

const build = path.resolve(process.argv[2] || 'build');
const art = path.join(build, 'test-artifacts');
fs.mkdirSync(art, { recursive: true });
const tmp = fs.mkdtempSync('/tmp/parley-browser-');
const db = path.join(tmp, 'sample.db');
const port = 21000 + (process.pid % 10000);
const base = `http://127.0.0.1:${port}`;
const parley = path.join(build, 'parley');

execFileSync(parley, ['ingest', '-q', '--db', db, 'examples/sample-corpus.jsonl']);
fs.writeFileSync(path.join(tmp, 'x.jsonl'), JSON.stringify({ id: 'XSS', date: '2025-03-05', source: 'Test', text: 'Iceland attacked Norway <script>window.pwned=1</script> at dawn.' }) + '\n');
execFileSync(parley, ['ingest', '-q', '--db', db, path.join(tmp, 'x.jsonl')]);
// a located event (issue #5): drawn at its town, not at a country centroid
fs.writeFileSync(path.join(tmp, 'g.jsonl'), JSON.stringify({ id: 'GEO', date: '2025-05-20', source: 'Test', text: 'Israeli forces clashed with Syrian troops near Quneitra.' }) + '\n');
execFileSync(parley, ['ingest', '-q', '--db', db, path.join(tmp, 'g.jsonl')]);

let server, browser;
test.before(async () => {
  server = spawn(parley, ['serve', '-q', '--db', db, '--port', String(port), '--www', path.join(build, 'www')], { stdio: 'inherit' });
  for (let i = 0; i < 100; i++) {
    try { const r = await fetch(base + '/api/health'); if (r.ok) break; } catch (e) { /* not yet */ }
    await new Promise(r => setTimeout(r, 100));
  }
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
           '--disable-component-update', '--disable-sync'],
  });
});
test.after(async () => {
  if (browser) await browser.close();
  if (server) server.kill('SIGTERM');
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('dyad chart, map, event why, try it, escaped text', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
  const outside = [];
  page.on('request', r => { if (!r.url().startsWith(base)) outside.push(r.url()); });
  await page.goto(base + '/?a=ISR&b=SYR&by=week');
  await page.waitForSelector('#chart[data-points]');
  assert.ok(Number(await page.getAttribute('#chart', 'data-points')) > 5, 'chart has a series');
  assert.ok(await page.$('#chart canvas'), 'uPlot drew the chart');
  await page.waitForSelector('#map[data-markers]');
  assert.ok(Number(await page.getAttribute('#map', 'data-markers')) >= 1, 'at least one marker');
  assert.ok(Number(await page.getAttribute('#map', 'data-located')) >= 1, 'a marker at a located place');
  assert.ok(await page.$('#map path.geo-located'), 'located places drawn solid');
  const guesses = Number(await page.getAttribute('#map', 'data-guesses'));
  assert.equal(await page.$$eval('#map path.geo-guess', ps => ps.length), guesses, 'every guess is drawn as a guess');
  assert.match(await page.textContent('#events'), /at Al Qunay.irah \(city, from the sentence\)/, 'the event list names the place');
  assert.ok(page.url().includes('a=ISR') && page.url().includes('b=SYR'), 'the URL reflects the view');
  await page.screenshot({ path: path.join(art, 'dashboard.png') });

  await page.click('#events tbody tr.ev');
  await page.waitForSelector('#detail .why li');
  const why = await page.textContent('#detail .why');
  assert.match(why, /verb/, 'why names the verb pattern');
  await page.screenshot({ path: path.join(art, 'event-why.png') });

  const seed = fs.readFileSync(path.resolve('../shared/examples/seed-article.txt'), 'utf8');
  await page.fill('#try-text', seed);
  await page.fill('#try-date', '2025-06-03');
  await page.click('#try-go');
  await page.waitForSelector('#try-out tr.try-ev');
  const coded = await page.textContent('#try-out');
  assert.match(coded, /ISR/, 'the seed article codes Israel');
  assert.match(coded, /SYR/, 'and Syria');
  await page.screenshot({ path: path.join(art, 'try-it.png') });

  // a sentence carrying <script> is shown as text and never runs
  await page.goto(base + '/?a=ISL&b=NOR&by=day');
  await page.waitForSelector('#events tbody tr.ev');
  const body = await page.textContent('#events');
  assert.ok(body.includes('<script>window.pwned=1</script>'), 'script tag shown as text');
  assert.strictEqual(await page.evaluate(() => window.pwned), undefined, 'script never ran');
  assert.deepStrictEqual(outside, [], 'no request leaves the server (offline)');
});
