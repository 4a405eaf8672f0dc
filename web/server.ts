// The HTTP server of `pretext serve` (Node-only): the page, its bundles (built at start-up) and,
// unless turned off, the COOP/COEP headers that make the page cross-origin isolated, which the
// CPU backend's worker threads need (SharedArrayBuffer).
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { PretextError } from '../util/errors.ts';
import { buildWebBundles, type WebBundles } from './build.ts';

export class WebServerError extends PretextError {}

export interface WebServerOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Send COOP/COEP (default true); without them the page trains on one thread. */
  readonly isolation?: boolean;
}

export interface WebServer {
  readonly url: string;
  readonly bundles: WebBundles;
  close(): Promise<void>;
}

const ISOLATION_HEADERS = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
  'cross-origin-resource-policy': 'same-origin',
};

/** Builds the bundles and listens; resolves once the server accepts connections. */
export async function startWebServer(o: WebServerOptions): Promise<WebServer> {
  const bundles = await buildWebBundles();
  const html = readFileSync(fileURLToPath(new URL('./index.html', import.meta.url)), 'utf8');
  const routes = new Map<string, { type: string; body: string }>([
    ['/', { type: 'text/html; charset=utf-8', body: html }],
    ['/index.html', { type: 'text/html; charset=utf-8', body: html }],
    ...[...bundles.files].map(([name, body]) => [`/${name}`, { type: 'text/javascript; charset=utf-8', body }] as const),
  ]);
  const server: Server = createServer((req, res) => {
    const route = routes.get(new URL(req.url ?? '/', 'http://x').pathname);
    if (o.isolation !== false) for (const [k, v] of Object.entries(ISOLATION_HEADERS)) res.setHeader(k, v);
    res.setHeader('cache-control', 'no-store');
    if (!route || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    res.writeHead(200, { 'content-type': route.type }).end(req.method === 'HEAD' ? undefined : route.body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      reject(new WebServerError(e.code === 'EADDRINUSE' ? `port ${o.port} on ${o.host} is in use (choose another with --port)` : `cannot listen on ${o.host}:${o.port}: ${e.message}`, { host: o.host, port: o.port }));
    });
    server.listen(o.port, o.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const host = o.host.includes(':') ? `[${o.host}]` : o.host;
  return {
    url: `http://${host}:${port}/`,
    bundles,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
