// The runbook diagram in a run's section (issue 12): drawn from the result's `runbook` field,
// the selected violation's path lit box by box with its trace indices, the violation's box
// marked, the rollback edges labelled with their triggers and guards. A result written before
// the field existed draws no diagram and says so.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReportFile } from '../../report/index.js';
import { check } from '../../sim/check.js';
import type { RunResult } from '../../sim/results/result.js';
import { TEST_OUTPUT, resultSet, tempDir, writeJson } from '../helpers/corpus.js';
import { collectErrors, launchChromium, screenshots } from './chromium.js';

const FILE = 'scenarios/bao-kms-provider/broken-upgrade-during-rotation.yaml';
const GUARDS = 'previous-reads-wire-formats, previous-reads-aad-shapes, previous-promoted-active-key, not-one-way';

let browser: BrowserContext;
let result: RunResult;
let single: string;
let older: string;
let twoPaths: string;

beforeAll(async () => {
  [result] = check(FILE);
  const dir = tempDir('report-diagram');
  single = join(dir, 'single.html');
  writeReportFile([writeJson(dir, 'single.json', resultSet([result]))], single);
  const { runbook: _, ...before } = result;
  older = join(dir, 'older.html');
  writeReportFile([writeJson(dir, 'older.json', resultSet([before as RunResult]))], older);
  // a run with a rollback in its trace, next to a run with several violations
  const rollback = check('scenarios/bao-kms-provider/broken-rollback-after-rotation.yaml');
  twoPaths = join(dir, 'rollback.html');
  writeReportFile([writeJson(dir, 'rollback.json', resultSet(rollback))], twoPaths);
  mkdirSync(TEST_OUTPUT, { recursive: true });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

async function open(path: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage();
  const errors = collectErrors(page);
  await page.goto(pathToFileURL(path).href);
  await page.waitForSelector('body[data-charts-drawn]');
  return { page, errors };
}

// The lit boxes of a diagram, in the order the trace first reached them: [label, indices].
async function litPath(page: Page): Promise<[string, string][]> {
  const lit = await page.locator('figure.rbd li.on').evaluateAll((els) =>
    els.map((el) => [(el.firstChild?.textContent ?? '').trim(), (el as HTMLElement).dataset.n ?? ''] as [string, string]),
  );
  return lit.sort((a, b) => parseInt(a[1], 10) - parseInt(b[1], 10));
}

describe('the runbook diagram (issue 12)', () => {
  it('draws the phases, stages and steps in runbook order, the rollback edges with their guards, and lights the violation path in trace order', async () => {
    const { page, errors } = await open(single);
    const fig = page.locator('details.run figure.rbd');
    await expect(fig.count()).resolves.toBe(1);
    await expect(fig.locator(':scope > ol > li').evaluateAll((els) => els.map((el) => el.firstChild!.textContent))).resolves.toEqual([
      'before', 'upgrading', 'upgraded', 'rolling-back', 'rolled-back', 'deferred', 'halted',
    ]);
    const upgrading = fig.locator(':scope > ol > li').nth(1);
    await expect(upgrading.locator(':scope > ol > li > b').allTextContents()).resolves.toEqual(['each-node (one-node-at-a-time)', 'after-all (once)']);
    await expect(upgrading.locator(':scope > ol > li').first().locator('li').allTextContents()).resolves.toEqual(['doctor', 'stop', 'replace-image', 'start', 'verify-ready', 'verify-key-id']);
    await expect(fig.locator(':scope > ol > li').nth(3).locator(':scope > ol > li li').allTextContents()).resolves.toEqual(['stop', 'replace-image', 'doctor', 'start', 'verify-key-id']);
    // the rollback decision and the one a guard refuses, each naming the runbook's guards
    await expect(fig.locator(':scope > ul > li').allTextContents()).resolves.toEqual([
      `upgrading, upgraded → rolling-back.each-node.stop or rolled-back: decide-rollback when verification-fails or operator-decides if ${GUARDS}`,
      // the refusal names the same guards: said once
      'upgrading, upgraded → halted: decide-rollback refused by one of those guards',
    ]);
    await expect(fig.locator(':scope > ul > li.refused').count()).resolves.toBe(1);
    // the one violation's path: the rotation starts before the upgrade, completes while node 1
    // is down, and a write on an old node lands while node 1 is at verify-ready
    await expect(fig.locator('button[aria-pressed=true]').textContent()).resolves.toBe('1. no-unknown-key-id-decrypt');
    await expect(litPath(page)).resolves.toEqual([
      ['before', '1, 2'],
      ['doctor', '3'],
      ['stop', '4'],
      ['replace-image', '5'],
      ['start', '6, 7'],
      ['verify-ready', '8'],
    ]);
    const at = fig.locator('li.at');
    await expect(at.count()).resolves.toBe(1);
    await expect(at.textContent()).resolves.toBe('verify-ready');
    await expect(at.evaluate((el) => getComputedStyle(el, '::after').content)).resolves.toBe('"8 ✖"');
    await expect(at.evaluate((el) => getComputedStyle(el).color)).resolves.toBe('rgb(185, 28, 28)');
    // the indices match the trace's own positions, step for step
    const trace = result.violations[0].trace.slice(1).map((t) => `${t.index} ${t.event!.at!.step ?? t.event!.at!.phase}`);
    expect(trace).toEqual(['1 before', '2 before', '3 doctor', '4 stop', '5 replace-image', '6 start', '7 start', '8 verify-ready']);
    const { scrollWidthAt420 } = await screenshots(page, 'report-diagram', fig);
    expect(scrollWidthAt420).toBeLessThanOrEqual(420);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('switches paths between violations, lighting the rollback edge a trace takes', async () => {
    const { page, errors } = await open(twoPaths);
    const fig = page.locator('figure.rbd');
    const buttons = fig.locator('button[data-path]');
    const n = await buttons.count();
    expect(n).toBeGreaterThan(0);
    let sawEdge = false;
    for (let i = 0; i < n; i++) {
      await buttons.nth(i).click();
      await expect(fig.locator('button[aria-pressed=true]').count()).resolves.toBe(1);
      await expect(buttons.nth(i).getAttribute('aria-pressed')).resolves.toBe('true');
      await expect(fig.locator('li.at').count()).resolves.toBe(1);
      const edge = fig.locator(':scope > ul > li.on');
      if ((await edge.count()) > 0) {
        sawEdge = true;
        await expect(edge.first().textContent()).resolves.toMatch(/^upgrading, upgraded → rolling-back\.each-node\.stop or rolled-back: decide-rollback when /);
        const rollingBack = await fig.locator(':scope > ol > li').nth(3).locator('li li.on').count();
        expect(rollingBack).toBeGreaterThan(0);
      }
    }
    expect(sawEdge).toBe(true);
    await screenshots(page, 'report-diagram-rollback', fig);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('draws no diagram for a result written before results carried the runbook, and says so', async () => {
    const { page, errors } = await open(older);
    await expect(page.locator('figure.rbd').count()).resolves.toBe(0);
    await expect(page.locator('p.rbd-none').textContent()).resolves.toMatch(/^No runbook diagram: this result was written before results carried the runbook's shape/);
    // the rest of the section still renders
    await expect(page.locator('article.violation').count()).resolves.toBe(1);
    expect(errors).toEqual([]);
    await page.close();
  });
});
