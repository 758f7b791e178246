// `rollsafe serve`: browsing real results in Chromium, and proof that no spelling of a path
// reaches a file outside the served folder.
import { spawn } from 'node:child_process';
import { mkdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { join, resolve } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServeApp } from '../../report/serve.js';
import { exploreFiles, resultSet, tempDir, writeJson, TEST_OUTPUT } from '../helpers/corpus.js';
import { canvasInk, collectErrors, launchChromium, screenshots } from './chromium.js';

const SENTINEL = `sentinel-${process.pid}-outside-the-served-folder`;
let browser: BrowserContext;
let server: Server;
let base: string;
let outside: string;
let folder: string;

// Raw HTTP so the path reaches the server exactly as written: browsers and fetch() would
// normalise "/../" away before sending it.
function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const { port } = server.address() as AddressInfo;
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => ok({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', fail);
    req.end();
  });
}

beforeAll(async () => {
  const root = tempDir('serve');
  folder = join(root, 'results');
  mkdirSync(join(folder, 'nightly'), { recursive: true });
  // The sentinel is a perfectly valid result file, so only the path guard can keep it out.
  outside = writeJson(root, 'secret.json', { ...resultSet([]), command: SENTINEL });
  writeFileSync(join(root, 'secret.txt'), SENTINEL);
  symlinkSync(outside, join(folder, 'escape.json'));
  symlinkSync(root, join(folder, 'up'));
  const [rotation, upgrade] = exploreFiles(['broken-upgrade-during-rotation.yaml', 'upgrade.yaml']);
  writeJson(join(folder, 'nightly'), 'rotation.json', resultSet([rotation, upgrade]));
  writeFileSync(join(folder, 'broken.json'), '{"schema": "something-else"}');
  // a runbook change, before and after: the seed runbook, then the same scenario made unsafe
  writeJson(join(folder, 'pr'), 'base.json', resultSet([upgrade]));
  writeJson(join(folder, 'pr'), 'head.json', resultSet([{ ...rotation, expect: { ...rotation.expect!, verdict: 'safe', fires: [], met: false, problems: ['expected safe, got unsafe'] } }]));
  // written one day apart, oldest first: the list's default order (newest first) is known
  ['broken.json', 'nightly/rotation.json', 'pr/base.json', 'pr/head.json'].forEach((f, i) => utimesSync(join(folder, f), new Date(Date.UTC(2026, 0, 1 + i, 9)), new Date(Date.UTC(2026, 0, 1 + i, 9))));
  const app = createServeApp(folder);
  server = await new Promise<Server>((ok) => {
    const s = app.listen(0, '127.0.0.1', () => ok(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((ok) => server?.close(ok));
});

describe('rollsafe serve', () => {
  it('lists the result files and renders one as a report in Chromium', async () => {
    const page = await browser.newPage();
    const errors = collectErrors(page);
    await page.goto(`${base}/`);
    const links = await page.locator('a.report-link').allTextContents();
    expect(links).toEqual(['pr/head.json', 'pr/base.json', 'nightly/rotation.json', 'broken.json']);
    await page.click('a.report-link:has-text("nightly/rotation.json")');
    await page.waitForSelector('body[data-charts-drawn]');
    expect(page.url()).toBe(`${base}/report/nightly/rotation.json`);
    const failing = page.locator('article[data-property="no-unknown-key-id-decrypt"] table.timeline thead th[data-failing="true"]');
    await expect(failing.textContent()).resolves.toContain('write on');
    await expect(page.locator('code.replay').first().textContent()).resolves.toBe(`rollsafe replay ${join(folder, 'nightly/rotation.json')} --violation 1`);
    for (const c of await canvasInk(page)) expect(c.ink, `${c.id} drew nothing`).toBeGreaterThan(1000);
    expect(errors).toEqual([]);
    await page.screenshot({ path: resolve(TEST_OUTPUT, 'serve-report.png') });
    await page.close();
  });

  it('lists what each file holds: verdict, expectation, engine, scenarios, violations, date (issue 13.5)', async () => {
    const page = await browser.newPage();
    const errors = collectErrors(page);
    await page.goto(`${base}/`);
    const cells = (file: string) => page.locator(`tr[data-file="${file}"] td`).allTextContents();
    await expect(cells('nightly/rotation.json')).resolves.toEqual(['nightly/rotation.json', '2', 'unsafe 1 unsafe · 1 safe', 'as expected 2 of 2', 'explore', '1', '2026-01-02 09:00', expect.stringMatching(/KiB$/), 'raw JSON']);
    await expect(cells('pr/head.json')).resolves.toEqual(['pr/head.json', '1', 'unsafe 1 unsafe', 'NOT as expected 0 of 1', 'explore', '1', '2026-01-04 09:00', expect.stringMatching(/KiB$/), 'raw JSON']);
    await expect(cells('broken.json')).resolves.toEqual(['broken.json', 'not a result file: open it for the reason', '2026-01-01 09:00', expect.stringMatching(/KiB$/), 'raw JSON']);
    await expect(page.locator('tr[data-file="pr/head.json"] .badge.expectation').evaluate((el) => getComputedStyle(el).color)).resolves.toBe('rgb(185, 28, 28)');

    // sorted by a column's link, and back the other way
    await page.click('a.sort[data-sort="violations"]');
    await expect(page.locator('a.report-link').allTextContents()).resolves.toEqual(['pr/base.json', 'nightly/rotation.json', 'pr/head.json', 'broken.json']);
    await page.click('a.sort[data-sort="violations"]');
    await expect(page.locator('a.report-link').first().textContent()).resolves.not.toBe('pr/base.json');
    await page.click('a.sort[data-sort="file"]');
    await expect(page.locator('a.report-link').allTextContents()).resolves.toEqual(['broken.json', 'nightly/rotation.json', 'pr/base.json', 'pr/head.json']);

    // filtered, keeping the order
    await page.selectOption('select[name="verdict"]', 'unsafe');
    await page.click('form.filters button[type="submit"]');
    await expect(page.locator('a.report-link').allTextContents()).resolves.toEqual(['nightly/rotation.json', 'pr/head.json']);
    await page.selectOption('select[name="expect"]', 'unmet');
    await page.click('form.filters button[type="submit"]');
    await expect(page.locator('a.report-link').allTextContents()).resolves.toEqual(['pr/head.json']);
    await expect(page.locator('#shown').textContent()).resolves.toBe('1 of 4 files');
    await page.goto(`${base}/`);
    const { scrollWidthAt420 } = await screenshots(page, 'serve-list');
    expect(scrollWidthAt420).toBeLessThanOrEqual(420);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('diffs two files chosen in the page: the violation the head makes newly reachable', async () => {
    const page = await browser.newPage();
    const errors = collectErrors(page);
    await page.goto(`${base}/`);
    await page.selectOption('#diff-form select[name="base"]', 'pr/base.json');
    await page.selectOption('#diff-form select[name="head"]', 'pr/head.json');
    await page.click('#diff-form button[type="submit"]');
    expect(page.url()).toBe(`${base}/diff?base=pr%2Fbase.json&head=pr%2Fhead.json`);
    await expect(page.locator('#diff-banner').textContent()).resolves.toBe('1 scenario newly unsafe or unproven in head · 1 scenario compared');
    await expect(page.locator('#diff-banner').getAttribute('class')).resolves.toBe('banner bad');
    await expect(page.locator('table.diff-table tbody td').allTextContents()).resolves.toEqual([
      'bao-kms-provider-upgrade-during-rotation',
      'safe',
      'unsafe',
      '1',
      '0',
      'the change makes 1 unsafe state newly reachable',
    ]);
    const text = (await page.locator('pre.diff').textContent()) ?? '';
    expect(text).toContain('newly reachable in head:\n  + no-unknown-key-id-decrypt [safety]');
    const { scrollWidthAt420 } = await screenshots(page, 'serve-diff');
    expect(scrollWidthAt420).toBeLessThanOrEqual(420);
    expect(errors).toEqual([]);
    // a file outside the folder is no more reachable through the diff than through /report
    await expect(get(`/diff?base=pr/base.json&head=../secret.json`)).resolves.toMatchObject({ status: 404 });
    await page.close();
  });

  it('answers a file that is not a result with 422 and the reason', async () => {
    const r = await get('/report/broken.json');
    expect(r.status).toBe(422);
    expect(r.body).toContain('&quot;schema&quot; is &quot;something-else&quot;, expected &quot;rollsafe/results@1&quot;');
  });

  it('serves the raw JSON of a file inside the folder', async () => {
    const r = await get('/results/nightly/rotation.json');
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body).schema).toBe('rollsafe/results@1');
  });

  const escapes = [
    '/report/../secret.json',
    '/results/../secret.json',
    '/../secret.json',
    '/results/%2e%2e/secret.json',
    '/report/%2E%2E/secret.json',
    '/results/..%2fsecret.json',
    '/results/..%2Fsecret.json',
    '/results/nightly/..%2f..%2fsecret.json',
    '/results/%2e%2e%2fsecret.json',
    '/results/nightly/../../secret.json',
    '/results/..\\secret.json',
    '/results/%2e%2e%5csecret.json',
    '/results/%252e%252e/secret.json',
    '/results//SECRET_ABS',
    '/results/%2FSECRET_ABS',
    '/report/SECRET_ABS',
    '/results/escape.json',
    '/report/escape.json',
    '/results/up/secret.json',
    '/results/up/secret.txt',
    '/results/..%00/secret.json',
  ];
  it.each(escapes)('refuses %s with 404 and never returns the outside file', async (raw) => {
    const path = raw.replace('SECRET_ABS', outside.slice(1)).replace('%2FSECRET_ABS', `%2F${encodeURIComponent(outside.slice(1))}`);
    const r = await get(path);
    expect(r.status).toBe(404);
    expect(r.body).not.toContain(SENTINEL);
  });

  it('refuses requests that name another host (DNS rebinding)', async () => {
    const r = await get('/results/nightly/rotation.json', { Host: 'attacker.example:80' });
    expect(r.status).toBe(403);
  });
});

describe('rollsafe serve on the command line', () => {
  it('binds loopback by default and prints the URL it serves', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'sim/cli/main.ts', 'serve', folder, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const line = await new Promise<string>((ok, fail) => {
        let out = '';
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          if (out.includes('\n')) ok(out);
        });
        child.once('exit', (code) => fail(new Error(`serve exited with ${code} before printing its URL`)));
      });
      const m = /^rollsafe serve: (http:\/\/127\.0\.0\.1:(\d+)\/) /.exec(line);
      expect(m, line).not.toBeNull();
      const res = await fetch(`${m![1]}report/nightly/rotation.json`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('bao-kms-provider-upgrade-during-rotation');
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('exits 2 naming the folder when it does not exist', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'sim/cli/main.ts', 'serve', join(folder, 'nope')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const code = await new Promise((ok) => child.once('exit', ok));
    expect(code).toBe(2);
    expect(err).toContain(`${join(folder, 'nope')}: no such folder`);
  });
});
