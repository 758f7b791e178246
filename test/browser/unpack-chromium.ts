// Vitest global setup: unpacks @sparticuz/chromium once, before any test file starts. Its
// executablePath() takes an existing /tmp/chromium as finished, so test files unpacking it in
// parallel workers would launch a binary still being written (spawn ETXTBSY).
import sparticuz from '@sparticuz/chromium';
import { usesDebianChromium } from './chromium.js';

export default async function setup(): Promise<void> {
  if (!usesDebianChromium()) await sparticuz.executablePath();
}
