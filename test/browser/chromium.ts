// Chromium driven by playwright-core, with no browser downloaded at install time: Debian's
// /usr/bin/chromium when the machine has it, otherwise the build that the @sparticuz/chromium
// npm package ships compressed, so CI needs nothing but `npm ci`. A fresh profile each time,
// nothing phoning home.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sparticuz from '@sparticuz/chromium';
import { type BrowserContext, type Locator, type Page, chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
const TEST_OUTPUT = 'test-output';

const QUIET = ['--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const VIEWPORT = { width: 1400, height: 1000 };

// ROLLSAFE_CHROMIUM=npm skips Debian's Chromium, to exercise CI's npm browser on a machine that has both.
export function usesDebianChromium(): boolean {
  return process.env.ROLLSAFE_CHROMIUM !== 'npm' && existsSync(CHROMIUM);
}

export async function launchChromium(): Promise<BrowserContext> {
  const profile = mkdtempSync(join(tmpdir(), 'rollsafe-chromium-'));
  if (usesDebianChromium()) {
    return chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: VIEWPORT,
      args: ['--headless', '--no-sandbox', '--disable-gpu', ...QUIET],
    });
  }
  // Already unpacked into the temp folder by vitest's global setup (unpack-chromium.ts), or unpacked here.
  const executablePath = await sparticuz.executablePath();
  return chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    viewport: VIEWPORT,
    args: [...sparticuz.args, ...QUIET],
  });
}

// Everything the page complains about: console errors, uncaught exceptions, failed loads.
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('requestfailed', (r) => errors.push(`requestfailed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
  return errors;
}

// How many pixels of each chart canvas are not blank, read back from the canvas itself.
export async function canvasInk(page: Page): Promise<{ id: string; ink: number; width: number; height: number }[]> {
  return page.$$eval('canvas', (canvases) =>
    (canvases as HTMLCanvasElement[]).map((c) => {
      const ctx = c.getContext('2d')!;
      const { data } = ctx.getImageData(0, 0, c.width, c.height);
      let ink = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i] > 0) ink++;
      return { id: c.id, ink, width: c.width, height: c.height };
    }),
  );
}

// The page at the two widths a reviewer meets it at, desk and phone, saved under test-output/ as
// NAME-1400.png and NAME-420.png (the viewport, or one element of it). Returns how wide the page
// is at 420 px: wider means it scrolls sideways.
export async function screenshots(page: Page, name: string, element?: Locator): Promise<{ scrollWidthAt420: number }> {
  let scrollWidthAt420 = 0;
  for (const width of [1400, 420]) {
    await page.setViewportSize({ width, height: width === 420 ? 900 : 1000 });
    const path = join(TEST_OUTPUT, `${name}-${width}.png`);
    if (element) {
      await element.scrollIntoViewIfNeeded();
      // a clip of a full-page capture: an element screenshot waits for animation frames, which a
      // loaded 2-core machine can starve
      const clip = await element.evaluate((el) => {
        const b = el.getBoundingClientRect();
        return { x: b.left + window.scrollX, y: b.top + window.scrollY, width: Math.max(1, b.width), height: Math.max(1, Math.min(b.height, 3000)) };
      });
      await page.screenshot({ path, fullPage: true, clip });
    } else await page.screenshot({ path });
    if (width === 420) scrollWidthAt420 = await page.evaluate(() => document.documentElement.scrollWidth);
  }
  await page.setViewportSize(VIEWPORT);
  return { scrollWidthAt420 };
}
