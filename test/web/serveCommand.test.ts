import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/pretext.mjs', import.meta.url));

describe('pretext serve', () => {
  it('prints its 127.0.0.1 URL, serves the page with COOP/COEP (not with --no-isolation), and stops on Ctrl-C', async () => {
    for (const isolation of [true, false]) {
      const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', ...(isolation ? [] : ['--no-isolation'])], { stdio: ['ignore', 'pipe', 'pipe'] });
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
          if (m) resolve(m[1]!);
        });
        child.on('exit', (code) => reject(new Error(`serve exited (${code}) before printing its URL: ${out}`)));
      });
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<script type="module" src="page.js">');
      expect(page.headers.get('cross-origin-opener-policy')).toBe(isolation ? 'same-origin' : null);
      expect(page.headers.get('cross-origin-embedder-policy')).toBe(isolation ? 'require-corp' : null);
      expect((await fetch(new URL('worker.js', url))).headers.get('content-type')).toMatch(/javascript/);
      expect((await fetch(new URL('missing', url))).status).toBe(404);
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    }
  }, 60_000);

  it('a bad --port is an error naming the flag', () => {
    const r = spawnSync(process.execPath, [BIN, 'serve', '--port', '70000'], { encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/--port must be in \[0, 65535\], got 70000/);
  });
});
