import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import type { TestContext } from 'node:test';
import { type Browser, chromium } from 'playwright-core';

/** Debian's package `chromium`; playwright-core never downloads a browser of its own. */
export const CHROMIUM = '/usr/bin/chromium';

/** Why the browser tests cannot run here, or undefined when they can. */
export const browserMissing = (): string | undefined =>
  existsSync(CHROMIUM) ? undefined : `${CHROMIUM} not found (apt-get install chromium)`;

let warned = false;

/**
 * True when the browser is there. Otherwise the test is skipped, loudly, so a green run on a machine
 * without Chromium is not mistaken for a tested one; with TESSERA_REQUIRE_BROWSER=1 (CI) it fails.
 */
export function requireBrowser(t: TestContext): boolean {
  const missing = browserMissing();
  if (missing === undefined) return true;
  assert.notEqual(
    process.env.TESSERA_REQUIRE_BROWSER,
    '1',
    `TESSERA_REQUIRE_BROWSER=1 but ${missing}: the browser tests cannot run`,
  );
  const message = `*** BROWSER TEST SKIPPED: ${missing} ***`;
  if (!warned) process.stderr.write(`\n${message}\n\n`);
  warned = true;
  t.skip(message);
  return false;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
