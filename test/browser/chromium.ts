import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, type Page, chromium } from 'playwright-core';

/** Debian's Chromium (CI installs it: .ci/run); PRETEXT_CHROMIUM overrides. */
export const CHROMIUM = process.env['PRETEXT_CHROMIUM'] ?? '/usr/bin/chromium';

export interface Chromium {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Closes the browser and removes its profile. */
  close(): Promise<void>;
}

/**
 * Headless Chromium with a fresh profile, WebGPU enabled on SwiftShader, downloads accepted. Fails
 * loudly, never skips, when Chromium is missing: CI must run these tests.
 */
export async function launchChromium(): Promise<Chromium> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's chromium (apt-get install -y --no-install-recommends chromium) or set PRETEXT_CHROMIUM`);
  }
  const profile = mkdtempSync(join(tmpdir(), 'pretext-chromium-'));
  const removeProfile = () => rmSync(profile, { recursive: true, force: true });
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      acceptDownloads: true,
      args: ['--headless=new', '--no-sandbox', '--enable-unsafe-webgpu', '--disable-gpu-sandbox', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    const page = context.pages()[0] ?? (await context.newPage());
    return {
      context,
      page,
      close: async () => {
        await context.close().catch(() => undefined);
        removeProfile();
      },
    };
  } catch (e) {
    removeProfile();
    throw e;
  }
}

export interface BrowserPage {
  readonly page: Page;
  close(): Promise<void>;
}

/**
 * Headless Chromium on a page serving `script` as an ES module from http://127.0.0.1 (a secure
 * context, which WebGPU needs), with WebGPU enabled on SwiftShader; ready once the page defines
 * `readyGlobal` on globalThis. Fails loudly, never skips,
 * when Chromium is missing: CI must run these tests.
 */
export async function openPage(script: string, readyGlobal = 'pretextGpujs'): Promise<BrowserPage> {
  const server: Server = createServer((req, res) => {
    if (req.url === '/page.js') {
      res.setHeader('content-type', 'text/javascript');
      res.end(script);
    } else {
      res.setHeader('content-type', 'text/html');
      res.end('<!doctype html><html><body><script type="module" src="/page.js"></script></body></html>');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  let browser: Chromium | undefined;
  const close = async () => {
    await browser?.close();
    server.close();
  };
  try {
    browser = await launchChromium();
    const page = browser.page;
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForFunction((name) => name in globalThis, readyGlobal, { timeout: 30_000 }).catch((e: Error) => {
      throw new Error(`the test page did not start: ${errors.join('; ') || e.message}`);
    });
    return { page, close };
  } catch (e) {
    await close();
    throw e;
  }
}
