// The report of the whole scenario corpus, as a reviewer opens it: its size and first render,
// the index's filters and search, #anchors into closed sections, and the layout at 420 px.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReportFile } from '../../report/index.js';
import { chaos } from '../../sim/campaign.js';
import { check } from '../../sim/check.js';
import type { ResultSet } from '../../sim/results/result.js';
import { resultSet, tempDir, writeJson } from '../helpers/corpus.js';
import { canvasInk, collectErrors, launchChromium, screenshots } from './chromium.js';

const MAX_BYTES = 1_000_000;
const MAX_FIRST_RENDER_MS = 1_500;

let browser: BrowserContext;
let all: ResultSet;
let html: string;
let bytes: number;
let chaosHtml: string;

beforeAll(async () => {
  all = resultSet(check('scenarios', { now: () => performance.now() }), 'rollsafe check scenarios --json all.json');
  const dir = tempDir('report-all');
  html = join(dir, 'all.html');
  bytes = writeReportFile([writeJson(dir, 'all.json', all)], html).bytes;
  const walks = await chaos('scenarios/bao-kms-provider/upgrade.yaml', { seed: 7, runs: 60 });
  chaosHtml = join(dir, 'chaos.html');
  writeReportFile([writeJson(dir, 'chaos.json', resultSet(walks, 'rollsafe chaos scenarios/bao-kms-provider/upgrade.yaml --seed 7 --runs 60'))], chaosHtml);
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
});

async function open(path: string, hash = ''): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage();
  const errors = collectErrors(page);
  await page.goto(pathToFileURL(path).href + hash);
  await page.waitForSelector('body[data-charts-drawn]');
  return { page, errors };
}

const shown = (page: Page) => page.locator('table.index tbody tr:not([hidden])');
const names = (page: Page) => shown(page).locator('td:first-child a').allTextContents();

describe('report of the whole scenario corpus (issue 13.3)', () => {
  it(`is at most ${MAX_BYTES.toLocaleString('en-US')} bytes and first renders within ${MAX_FIRST_RENDER_MS} ms, both summary charts drawn, no errors`, async () => {
    const { page, errors } = await open(html);
    // from the start of navigation to the end of the page's own script: the page's cost, not
    // Chromium's start-up
    const firstMs = await page.evaluate(() => performance.getEntriesByName('rollsafe-charts-end')[0].startTime);
    const violations = all.results.reduce((k, r) => k + r.violations.length, 0);
    process.stdout.write(`\n[measure] whole-corpus report: ${bytes.toLocaleString('en-US')} bytes (${all.results.length} results, ${violations} violations); first render ${firstMs.toFixed(0)} ms\n`);
    expect(all.results.length).toBeGreaterThan(40);
    expect(bytes).toBeLessThanOrEqual(MAX_BYTES);
    expect(firstMs).toBeLessThanOrEqual(MAX_FIRST_RENDER_MS);
    await expect(page.evaluate(() => document.body.dataset.chartsDrawn)).resolves.toBe('2');
    for (const c of (await canvasInk(page)).filter((x) => !x.id.startsWith('chart-records-'))) expect(c.ink, `${c.id} drew nothing`).toBeGreaterThan(1000);
    // one run per row, each with its own small per-depth curve; the big chart keeps the 8 largest
    await expect(shown(page).count()).resolves.toBe(all.results.length);
    await expect(page.locator('table.index svg.spark').count()).resolves.toBe(all.results.length);
    await expect(page.locator('figure.chart figcaption').nth(1).textContent()).resolves.toBe('New distinct states per depth: the 8 largest runs');
    const datasets = await page.evaluate(() => (JSON.parse(document.getElementById('rollsafe-charts')!.textContent!).charts as { id: string; config: { data: { datasets: unknown[] } } }[]).find((c) => c.id === 'chart-states-per-depth')!.config.data.datasets.length);
    expect(datasets).toBe(8);
    // a property x run matrix would be 70 columns wide: counts per property instead
    await expect(page.locator('table.matrix').count()).resolves.toBe(0);
    const supported = all.results.filter((r) => r.properties.find((p) => p.name === 'supported-path')?.status === 'violated').length;
    await expect(page.locator('table.property-counts tr', { has: page.locator('code:text-is("supported-path")') }).locator('td').first().textContent()).resolves.toBe(String(supported));
    expect(errors).toEqual([]);
    const { scrollWidthAt420 } = await screenshots(page, 'report-corpus-index');
    expect(scrollWidthAt420).toBeLessThanOrEqual(420);
    await page.close();
  });

  it('filters the index and the sections by verdict, expectation, property fired and folder, and searches', async () => {
    const { page, errors } = await open(html);
    const total = all.results.length;
    await page.selectOption('#f-verdict', 'safe');
    const safe = all.results.filter((r) => r.verdict === 'safe');
    await expect(names(page)).resolves.toEqual(safe.map((r) => r.scenario.name));
    await expect(page.locator('#f-count').textContent()).resolves.toBe(`${safe.length} of ${total} shown`);
    await expect(page.locator('details.run:not([hidden])').count()).resolves.toBe(safe.length);

    await page.selectOption('#f-verdict', '');
    await page.selectOption('#f-property', 'supported-path');
    const fired = all.results.filter((r) => r.violations.some((v) => v.property === 'supported-path'));
    expect(fired.length).toBeGreaterThan(1);
    await expect(names(page)).resolves.toEqual(fired.map((r) => r.scenario.name));

    await page.click('#f-reset');
    await page.selectOption('#f-folder', 'scenarios/keystone');
    await expect(names(page)).resolves.toEqual(all.results.filter((r) => r.scenario.file.startsWith('scenarios/keystone/')).map((r) => r.scenario.name));

    await page.click('#f-reset');
    await page.selectOption('#f-expect', 'unmet');
    await expect(shown(page).count()).resolves.toBe(0);
    await expect(page.locator('#f-count').textContent()).resolves.toBe(`0 of ${total} shown`);

    await page.click('#f-reset');
    // the search reads the section's title too: "fernet" is in titles, not in every name
    await page.fill('#f-search', 'fernet rotation');
    const matches = all.results.filter((r) => ['fernet', 'rotation'].every((w) => `${r.scenario.name} ${r.scenario.title} ${r.scenario.file}`.toLowerCase().includes(w)));
    expect(matches.length).toBeGreaterThan(0);
    await expect(names(page)).resolves.toEqual(matches.map((r) => r.scenario.name));
    await page.click('#f-open');
    await expect(page.locator('details.run[open]').count()).resolves.toBe(matches.length);
    await screenshots(page, 'report-corpus-filtered');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('opens the section an #anchor points into and draws the charts inside it', async () => {
    const { page, errors } = await open(html, '#s-incident-06-failover-to-older-v1');
    await expect(page.locator('details#s-incident-06-failover-to-older').getAttribute('open')).resolves.toBe('');
    await expect(page.locator('details.run[open]').count()).resolves.toBe(1);
    const inside = all.results.find((r) => r.scenario.name === 'incident-06-failover-to-older')!.violations.length;
    await expect(page.evaluate(() => document.body.dataset.chartsDrawn)).resolves.toBe(String(2 + inside));
    const ink = (await canvasInk(page)).find((c) => c.id === 'chart-records-s-incident-06-failover-to-older-v1')!;
    expect(ink.ink).toBeGreaterThan(1000);
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('layout (issue 13.4)', () => {
  it('does not scroll sideways at 420 px with a run open, its release × format table in a scroll box; faults follow the runbook', async () => {
    const { page, errors } = await open(html, '#s-bao-kms-provider-upgrade');
    const run = page.locator('details#s-bao-kms-provider-upgrade');
    await run.locator('details.coverage').evaluate((d) => ((d as HTMLDetailsElement).open = true));
    const combos = run.locator('table.combos');
    await expect(combos.evaluate((t) => getComputedStyle(t.parentElement!).overflowX)).resolves.toBe('auto');
    // the faults table lists positions in runbook order, the result's coverage.positions
    const r = all.results.find((x) => x.scenario.name === 'bao-kms-provider-upgrade')!;
    const labels = await run.locator('table.faults tbody th').allTextContents();
    const order = r.coverage.positions.map((p) => p.label).filter((l) => labels.includes(l));
    expect(labels).toEqual(order);
    expect(labels.indexOf('upgrading: node 1 of 3: start')).toBeLessThan(labels.indexOf('upgrading: node 1 of 3: verify-ready'));
    const { scrollWidthAt420 } = await screenshots(page, 'report-corpus-run', run);
    expect(scrollWidthAt420).toBeLessThanOrEqual(420);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('labels a chaos result in worlds visited, as the CLI does, and shows no option it did not use', async () => {
    const { page, errors } = await open(chaosHtml);
    const body = (await page.locator('details.run .run-body').textContent()) ?? '';
    expect(body).toMatch(/chaos engine, seed 7: [\d,]+ worlds visited, /);
    expect(body).not.toContain('null');
    expect(body).toContain('Worlds visited by runbook phase');
    await expect(page.locator('table.index thead th').nth(7).textContent()).resolves.toBe('worlds visited');
    await expect(page.locator('figure.chart figcaption').nth(1).textContent()).resolves.toBe('Worlds visited per depth');
    await screenshots(page, 'report-chaos');
    expect(errors).toEqual([]);
    await page.close();
  });
});
