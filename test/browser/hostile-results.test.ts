// A result file carrying markup wherever the schema lets a string through, opened as a written
// report and through `serve` in Chromium: no dialog, no injected element, a CSP that runs only
// the page's own scripts by hash, and the charts still drawn under it. Markup in a number field
// never gets that far: the loader refuses it.
import { writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResultFileError, writeReportFile } from '../../report/index.js';
import { createServeApp } from '../../report/serve.js';
import { check } from '../../sim/check.js';
import type { ResultSet } from '../../sim/results/result.js';
import { MARKUP, withMarkupEverywhere } from '../fuzz-inputs/result-mutations.js';
import { resultSet, tempDir, writeJson } from '../helpers/corpus.js';
import { canvasInk, collectErrors, launchChromium } from './chromium.js';

let browser: BrowserContext;
let server: Server;
let base: string;
let dir: string;
let clean: ResultSet;
let reportPath: string;

beforeAll(async () => {
  clean = JSON.parse(JSON.stringify(resultSet(check(['scenarios/incidents/08a-alibaba-upgrade-from-old-image.yaml', 'scenarios/keys/05-broken-min-decryption-hidden-by-dek-cache.yaml']))));
  dir = tempDir('hostile');
  // every free string carries one of the payloads, in turn
  const hostile = MARKUP.map((m, i) => ({ ...(withMarkupEverywhere(clean.results[i % clean.results.length], m) as object) }));
  writeJson(dir, 'hostile.json', { ...clean, command: MARKUP[1], results: hostile });
  reportPath = join(dir, 'hostile.html');
  writeReportFile([join(dir, 'hostile.json')], reportPath);
  const app = createServeApp(dir);
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

// Opens the page, and reports every dialog, injected element and complaint it produced.
async function open(url: string): Promise<{ page: Page; dialogs: string[]; errors: string[]; csp: string | null }> {
  const page = await browser.newPage();
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  const errors = collectErrors(page);
  const res = await page.goto(url);
  await page.waitForSelector('body[data-charts-drawn]');
  return { page, dialogs, errors, csp: res?.headers()['content-security-policy'] ?? null };
}

async function expectInert(page: Page, dialogs: string[], errors: string[]): Promise<void> {
  // every run's section open, so each payload is rendered and every chart drawn
  const runs = await page.locator('details.run').count();
  await page.click('#f-open');
  await page.waitForFunction((n) => document.body.dataset.chartsDrawn === String(n), await page.locator('canvas[data-chart]').count());
  // the payloads are on the page as text...
  const text = await page.evaluate(() => document.body.innerText);
  for (const m of MARKUP) expect(text).toContain(m);
  // the runbook diagram's stages, steps and edge labels among them
  const diagrams = (await page.locator('figure.rbd').allInnerTexts()).join('\n');
  expect(MARKUP.some((m) => diagrams.includes(`${m}#`))).toBe(true);
  // ...and nowhere as elements: the only SVG is the index's own small curve per run
  await expect(page.locator('img, svg:not(.spark), iframe').count()).resolves.toBe(0);
  await expect(page.locator('table.index svg.spark').count()).resolves.toBe(runs);
  await expect(page.locator('script').count()).resolves.toBe(3); // chart data, chart.js, the drawing code
  expect(dialogs).toEqual([]);
  // a CSP violation or a failed chart shows up as a console error
  expect(errors).toEqual([]);
  const inks = await canvasInk(page);
  expect(inks.length).toBeGreaterThan(2);
  for (const c of inks) expect(c.ink, `${c.id} drew nothing`).toBeGreaterThan(1000);
  const meta = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  expect(meta).toMatch(/script-src 'sha256-[\w+/]+=' 'sha256-[\w+/]+=';/);
  expect(/script-src[^;]*unsafe-inline/.test(meta!)).toBe(false);
}

describe('a result file with markup in every string field, in Chromium', () => {
  it('written as a report: no dialog, no injected element, charts drawn under a hash-only CSP', async () => {
    const { page, dialogs, errors } = await open(pathToFileURL(reportPath).href);
    await expectInert(page, dialogs, errors);
    await page.close();
  });

  it('through serve: the same, and the header CSP matches the page', async () => {
    const { page, dialogs, errors, csp } = await open(`${base}/report/hostile.json`);
    await expectInert(page, dialogs, errors);
    expect(csp).toMatch(/script-src 'sha256-[\w+/]+=' 'sha256-[\w+/]+=';/);
    expect(/script-src[^;]*unsafe-inline/.test(csp!)).toBe(false);
    await page.close();
  });

  it('markup in number fields is refused before any page exists: report throws, serve answers 422', async () => {
    const numbers = structuredClone(clean);
    const fig = numbers.results[0].figures as unknown as Record<string, unknown>;
    fig.transitions = MARKUP[0];
    fig.depth = MARKUP[1];
    (numbers.results[0].violations[0].trace[0] as unknown as Record<string, unknown>).index = MARKUP[0];
    numbers.results[0].violations[0].blast.recordsAffected = MARKUP[0] as unknown as number;
    writeJson(dir, 'numbers.json', numbers);
    const out = join(dir, 'numbers.html');
    writeFileSync(out, 'untouched');
    expect(() => writeReportFile([join(dir, 'numbers.json')], out)).toThrow(ResultFileError);
    const { page, dialogs } = await (async () => {
      const p = await browser.newPage();
      const d: string[] = [];
      p.on('dialog', (x) => {
        d.push(x.message());
        void x.dismiss();
      });
      const res = await p.goto(`${base}/report/numbers.json`);
      expect(res?.status()).toBe(422);
      return { page: p, dialogs: d };
    })();
    await expect(page.locator('main').textContent()).resolves.toContain(`must be a whole number, got "${MARKUP[0]}"`);
    await expect(page.locator('img, script').count()).resolves.toBe(0);
    expect(dialogs).toEqual([]);
    await page.close();
  });
});
