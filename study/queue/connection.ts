import { Redis } from 'ioredis';
import { QueueError } from './errors.ts';
import type { RedisTarget } from './redisUrl.ts';

/** A connection to the queue's Redis that reports outages as single lines instead of ioredis' stack traces. */
export interface RedisLink {
  readonly target: RedisTarget;
  /** For BullMQ's Queue and Worker: after the first connection it reconnects for ever, commands wait meanwhile. */
  readonly client: Redis;
  /** Where a BullMQ object's 'error' events go: connection errors become one line per outage. */
  readonly onError: (e: Error) => void;
  close(): Promise<void>;
}

export interface ConnectOptions {
  readonly log: (line: string) => void;
  /** Bound on the first connection (a coordinator or worker started against a dead URL says so at once). */
  readonly timeoutMs?: number;
}

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
const isConnectionError = (e: Error): boolean => CONNECTION_CODES.has((e as { code?: string }).code ?? '') || /Connection is closed|connect ETIMEDOUT|Stream isn't writeable/i.test(e.message);

/**
 * Connects to Redis, failing with a QueueError that names the URL when the first connection does
 * not succeed within the timeout. Later outages (a Redis restart) are waited out: BullMQ needs
 * maxRetriesPerRequest null, so commands queue until Redis is back, and nothing is lost.
 */
export async function connectRedis(target: RedisTarget, o: ConnectOptions): Promise<RedisLink> {
  let connected = false;
  let down = false;
  let firstError: Error | undefined;
  const client = new Redis({
    host: target.host,
    port: target.port,
    db: target.db,
    ...(target.username !== undefined ? { username: target.username } : {}),
    ...(target.password !== undefined ? { password: target.password } : {}),
    ...(target.tls ? { tls: {} } : {}),
    lazyConnect: true,
    connectTimeout: o.timeoutMs ?? 5000,
    maxRetriesPerRequest: null,
    // no retries before the first connection (a clear error instead); then every 0.25-2 s
    retryStrategy: (times) => (connected ? Math.min(250 * times, 2000) : null),
  });
  const lost = (why: string) => {
    if (!connected || down) return;
    down = true;
    o.log(`Redis at ${target.shown}: connection lost (${why}); waiting for it to come back (runs in flight go on)`);
  };
  const onError = (e: Error) => {
    if (!connected) firstError ??= e;
    else if (isConnectionError(e)) lost(e.message);
    else o.log(`queue at ${target.shown}: ${e.message}`);
  };
  client.on('error', onError);
  client.on('close', () => lost('closed'));
  client.on('ready', () => {
    if (!down) return;
    down = false;
    o.log(`Redis at ${target.shown}: connected again`);
  });
  try {
    await client.connect();
    await client.ping();
  } catch (e) {
    client.disconnect();
    const why = (firstError ?? (e as Error)).message;
    throw new QueueError(`cannot reach Redis at ${target.shown} (${why}): is redis-server running there, and reachable from this machine?`, { url: target.shown });
  }
  connected = true;
  return {
    target,
    client,
    onError,
    close: async () => {
      connected = false;
      if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
      else client.disconnect();
    },
  };
}
