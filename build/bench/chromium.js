// Debian's Chromium for the page benchmarks: headless, a throwaway profile, a 1360×860 window.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Exits the script (printing why) when Chromium is not installed. */
export function requireChromium() {
  if (existsSync(chromiumPath)) return;
  console.log(`skipped: Chromium not found at ${chromiumPath}`);
  process.exit(0);
}

export async function launchBenchChromium(name) {
  const profile = mkdtempSync(join(tmpdir(), `bench-${name}-chromium-`));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    viewport: { width: 1360, height: 860 },
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  return {
    ctx,
    page,
    async close() {
      await ctx.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
