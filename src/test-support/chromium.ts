// Debian's Chromium through playwright-core, for browser tests and the dashboard bench. A missing browser is
// "cannot run here" (a failure in CI).
import type { TestContext } from 'node:test';
import fs from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { cannotRunHere } from './live.js';

/** Debian's chromium binary. */
export const CHROMIUM = '/usr/bin/chromium';

/** Flags for a quiet headless run that reaches nothing but what a page asks for. */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Launches Chromium, or marks the test as unable to run and returns undefined. */
export async function launchChromium(t: TestContext): Promise<Browser | undefined> {
  if (!fs.existsSync(CHROMIUM)) {
    cannotRunHere(t, `${CHROMIUM} is missing (apt-get install chromium)`);
    return undefined;
  }
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}
