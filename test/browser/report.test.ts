// The report as a reviewer sees it: generated from real results, opened from disk in Chromium.
import { mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReportFile } from '../../report/index.js';
import { check } from '../../sim/check.js';
import type { ResultSet } from '../../sim/results/result.js';
import { BAO, TEST_OUTPUT, resultSet, tempDir, writeJson } from '../helpers/corpus.js';
import { canvasInk, collectErrors, launchChromium, screenshots } from './chromium.js';

let browser: BrowserContext;
let set: ResultSet;
let resultsPath: string;
let reportPath: string;
let singlePath: string;

beforeAll(async () => {
  set = resultSet(check(BAO, { now: () => performance.now() }));
  const dir = tempDir('report');
  resultsPath = writeJson(dir, 'results.json', set);
  reportPath = join(dir, 'report.html');
  writeReportFile([resultsPath], reportPath);
  // the issue's case: one unsafe scenario whose expect block says unsafe
  const one = resultSet(set.results.filter((r) => r.scenario.name === 'bao-kms-provider-upgrade-during-rotation'));
  singlePath = join(dir, 'single.html');
  writeReportFile([writeJson(dir, 'single.json', one)], singlePath);
  mkdirSync(TEST_OUTPUT, { recursive: true });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

async function open(path: string, hash = ''): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(pathToFileURL(path).href + hash);
  await page.waitForSelector('body[data-charts-drawn]');
  return page;
}

// The violation whose timeline the assertions read: the rotation that completes while a node
// is down for its upgrade (broken-upgrade-during-rotation).
function target() {
  let number = 0;
  for (const r of set.results) {
    for (const v of r.violations) {
      number += 1;
      if (r.scenario.name === 'bao-kms-provider-upgrade-during-rotation' && v.property === 'no-unknown-key-id-decrypt') return { r, v, number };
    }
  }
  throw new Error('the corpus no longer has the upgrade-during-rotation violation this test reads');
}

const colour = (page: Page, selector: string) => page.locator(selector).evaluate((el) => getComputedStyle(el).color);
const RED = 'rgb(185, 28, 28)';
const GREEN = 'rgb(21, 128, 61)';

describe('verdict and expectation are two things (issue 13.1)', () => {
  it('one unsafe scenario that expects unsafe: a red verdict banner and a green expectation banner, apart', async () => {
    const page = await open(singlePath);
    await expect(page.locator('#banner-verdict').textContent()).resolves.toBe('Verdicts of 1 run 1 unsafe · 0 safe · 0 inconclusive · 1 violation · 1 with vacuous properties');
    await expect(page.locator('#banner-verdict').getAttribute('class')).resolves.toBe('banner bad');
    await expect(colour(page, '#banner-verdict')).resolves.toBe(RED);
    await expect(page.locator('#banner-expectation').textContent()).resolves.toBe('Expectations 1 of 1 as expected');
    await expect(page.locator('#banner-expectation').getAttribute('class')).resolves.toBe('banner good');
    await expect(colour(page, '#banner-expectation')).resolves.toBe(GREEN);
    // the index row and the run's heading carry the two badges apart, each in its own colour
    const row = page.locator('table.index tbody tr');
    await expect(row.locator('.badge.verdict').textContent()).resolves.toBe('unsafe');
    await expect(colour(page, 'table.index tbody tr .badge.verdict')).resolves.toBe(RED);
    await expect(row.locator('.badge.expectation').textContent()).resolves.toBe('as expected');
    await expect(colour(page, 'table.index tbody tr .badge.expectation')).resolves.toBe(GREEN);
    await expect(page.locator('details.run .expectation-line').textContent()).resolves.toBe('Expected unsafe with no-unknown-key-id-decrypt, found unsafe: as expected');
    // one run: its section is open without a click
    await expect(page.locator('details.run').getAttribute('open')).resolves.toBe('');
    await screenshots(page, 'report-single-unsafe-as-expected');
    await page.close();
  });

  it('a safe run that was expected unsafe: a green verdict banner and a red expectation banner', async () => {
    const safe = structuredClone(set.results.find((r) => r.scenario.name === 'bao-kms-provider-upgrade')!);
    safe.expect = { verdict: 'unsafe', fires: ['availability'], vacuous: null, met: false, problems: ['expected unsafe, got safe'] };
    const dir = tempDir('report-unmet');
    const html = join(dir, 'unmet.html');
    writeReportFile([writeJson(dir, 'unmet.json', resultSet([safe]))], html);
    const page = await open(html);
    await expect(page.locator('#banner-verdict').getAttribute('class')).resolves.toBe('banner good');
    await expect(page.locator('#banner-expectation').textContent()).resolves.toBe('Expectations 0 of 1 as expected · 1 NOT as expected');
    await expect(colour(page, '#banner-expectation')).resolves.toBe(RED);
    await expect(page.locator('table.index tbody tr .badge.expectation').textContent()).resolves.toBe('NOT as expected');
    await page.close();
  });
});

describe('report of the bao-kms-provider corpus, in Chromium', () => {
  it('opens a violation from the index: failing step highlighted, blast radius, replay command, its chart drawn on opening, no errors', async () => {
    const page = await browser.newPage();
    const errors = collectErrors(page);
    const offline: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith('file:')) offline.push(r.url());
    });
    await page.goto(pathToFileURL(reportPath).href);
    await page.waitForSelector('body[data-charts-drawn]');
    // seven runs: closed, only the two summary charts drawn
    await expect(page.locator('details.run[open]').count()).resolves.toBe(0);
    await expect(page.evaluate(() => document.body.dataset.chartsDrawn)).resolves.toBe('2');

    const { r, v, number } = target();
    const row = page.locator('table.index tbody tr', { has: page.locator(`a:text-is("${r.scenario.name}")`) });
    await row.locator('a', { hasText: 'no-unknown-key-id-decrypt' }).click();
    const section = page.locator(`details.run:has(code.run-file:text-is("${r.scenario.file}"))`);
    await expect(section.getAttribute('open')).resolves.toBe('');
    const article = section.locator(`article.violation[data-property="no-unknown-key-id-decrypt"]`);
    await expect(article.count()).resolves.toBe(1);
    await page.waitForFunction(() => document.body.dataset.chartsDrawn === '3');

    const last = v.trace[v.trace.length - 1];
    const failing = article.locator('table.timeline thead th[data-failing="true"]');
    await expect(failing.count()).resolves.toBe(1);
    await expect(failing.getAttribute('data-step')).resolves.toBe(String(last.index));
    await expect(failing.textContent()).resolves.toContain(`${last.event!.type}${last.event!.node ? ` on ${last.event!.node}` : ''}`);
    await expect(failing.evaluate((el) => getComputedStyle(el).backgroundColor)).resolves.toBe('rgb(254, 226, 226)');
    const wrote = last.world.records.find((x) => x.keyVersion === 2)!;
    await expect(article.locator(`tr[data-row="records"] td.failing`).textContent()).resolves.toContain(`v2 ${wrote.format} ×${wrote.count}`);
    const rows = await article.locator('table.timeline tbody tr').count();
    await expect(article.locator('table.timeline tbody td.failing').count()).resolves.toBe(rows);
    const text = (await article.textContent()) ?? '';
    expect(text).toContain(`${v.blast.recordsAffected} of ${v.blast.recordsTotal.toLocaleString('en-US')} records unreadable`);
    expect(text).toContain(v.explanation);
    await expect(article.locator('code.replay').textContent()).resolves.toBe(`rollsafe replay ${resultsPath} --violation ${number}`);
    const chartId = `chart-records-${await article.getAttribute('id')}`;
    const ink = (await canvasInk(page)).find((c) => c.id === chartId)!;
    expect(ink.ink).toBeGreaterThan(1000);
    expect(errors).toEqual([]);
    expect(offline).toEqual([]);

    const shot = resolve(TEST_OUTPUT, 'report-violation.png');
    const box = await article.evaluate((el) => {
      const b = el.getBoundingClientRect();
      return { x: b.left + window.scrollX, y: b.top + window.scrollY, width: b.width, height: b.height };
    });
    await page.screenshot({ path: shot, fullPage: true, clip: box });
    expect(statSync(shot).size).toBeGreaterThan(10_000);
    await page.close();
  });

  it('says how many states refuse a rollback at each position, by which guard and on what condition (issue 13.2)', async () => {
    const page = await open(reportPath, '#s-bao-kms-provider-upgrade-during-rotation-no-return');
    const section = page.locator('details#s-bao-kms-provider-upgrade-during-rotation');
    await expect(section.getAttribute('open')).resolves.toBe('');
    const stop = section.locator('table.no-return tr', { has: page.locator('td:text-is("upgrading: node 1 of 3: stop")') });
    await expect(stop.getAttribute('class')).resolves.toBe('rb-refused first-no-return');
    await expect(stop.locator('td.mix').textContent()).resolves.toBe('refused 20 safe · 6 refused (previous-promoted-active-key)');
    const last = section.locator('table.no-return tr', { has: page.locator('td:text-is("upgrading: node 3 of 3: start")') });
    await expect(last.locator('td.mix').textContent()).resolves.toBe('refused 73 safe · 245 refused (previous-reads-wire-formats) · 165 refused (previous-promoted-active-key)');
    await expect(section.locator('p', { hasText: 'From upgrading' }).textContent()).resolves.toBe(
      'From upgrading: node 1 of 3: stop on, a rollback is refused by the runbook in some states: 6 of the 26 states there that offer one; 20 of them still roll back safely.',
    );
    await expect(section.locator('ul.guards li').allTextContents()).resolves.toEqual([
      'previous-promoted-active-key refuses in the states where a key rotation is under way, or completed to a key version the previous release never promoted.',
      'previous-reads-wire-formats refuses in the states where live records are in a wire format the previous release cannot read.',
    ]);
    // the safe seed runbook: the positions that are safe throughout share one row
    const upgrade = page.locator('details#s-bao-kms-provider-upgrade');
    await upgrade.evaluate((d) => ((d as HTMLDetailsElement).open = true));
    await expect(upgrade.locator('table.no-return tr.grouped td').first().textContent()).resolves.toBe(
      'upgrading: node 1 of 3: stop …upgrading: node 3 of 3: replace-image (14 positions)',
    );
    await screenshots(page, 'report-no-return', section.locator('table.no-return'));
    await page.close();
  });

  it('draws the property matrix for a few runs, with the verdict per property', async () => {
    const page = await open(reportPath);
    const matrix = page.locator('table.matrix');
    const safeColumn = set.results.findIndex((r) => r.scenario.name === 'bao-kms-provider-upgrade');
    const row = matrix.locator('tbody tr', { has: page.locator('code', { hasText: /^key-id-agreement$/ }) });
    const cells = row.locator('td');
    await expect(cells.nth(safeColumn).textContent()).resolves.toBe('holds');
    const noKeyId = set.results.findIndex((r) => r.scenario.name === 'bao-kms-provider-no-key-id-check');
    await expect(cells.nth(noKeyId).textContent()).resolves.toBe('violated');
    await page.close();
  });
});
