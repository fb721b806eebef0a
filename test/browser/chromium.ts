// What the browser tests share: Debian's Chromium, headless and offline, and where screenshots go.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext } from 'playwright-core';

export const CHROMIUM = process.env.PATHLENS_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Screenshots the tests take, to be looked at: test/output/screenshots (git-ignored), or $PATHLENS_SCREENSHOT_DIR. */
export function screenshotDir(): string {
  const dir = process.env.PATHLENS_SCREENSHOT_DIR ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'output', 'screenshots');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** No network: every request that is not a file is aborted and recorded in `requests`. */
export async function offline(context: BrowserContext, requests: string[]): Promise<void> {
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:') || url.startsWith('data:')) return route.continue();
    requests.push(url);
    return route.abort();
  });
}
