import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/**
 * Debian's chromium for the browser suites, driven by playwright-core.
 * .ci/run installs it; where it is missing (or CHROMIUM_PATH names no file)
 * the suites say so once and skip.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const available = existsSync(CHROMIUM);
if (!available) {
  console.warn(`test/browser: skipped, no browser at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);
}

/** `describe` where chromium is installed, `describe.skip` (after the warning above) where it is not. */
export const describeWithBrowser: jest.Describe = available ? describe : describe.skip;

/** Headless chromium with the flags a container without a GPU or network needs. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}
