// Debian's Chromium driven by playwright-core, started the way TOOLCHAIN.md says works on
// this machine: no downloaded browser, a fresh profile each time, nothing phoning home.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, type Page, chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export async function launchChromium(): Promise<BrowserContext> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install it with "apt-get install -y --no-install-recommends chromium" (bash .ci/run does this)`);
  }
  const profile = mkdtempSync(join(tmpdir(), 'rollsafe-chromium-'));
  return chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 1000 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
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
