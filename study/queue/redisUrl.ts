import { QueueError } from './errors.ts';

/** Where the study queue lives: a Redis server (and database) from a redis:// or rediss:// URL. */
export interface RedisTarget {
  readonly host: string;
  readonly port: number;
  readonly db: number;
  readonly tls: boolean;
  readonly username?: string;
  readonly password?: string;
  /** The URL without its password, for messages. */
  readonly shown: string;
}

const FORM = 'redis://HOST:PORT[/DB] (or rediss:// for TLS)';

/** Parses a `--queue` URL; anything else is a QueueError naming the flag and the value. */
export function parseRedisUrl(text: string, flag = '--queue'): RedisTarget {
  const bad = (why: string) => new QueueError(`${flag}: expected ${FORM}, got ${JSON.stringify(text)} (${why})`, { flag, value: text });
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    const port = /^[a-z]+:\/\/[^/]*:(\d+)(\/|$)/i.exec(text)?.[1];
    throw bad(port !== undefined ? `port ${port} is out of range` : 'not a URL');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw bad(`scheme ${url.protocol.replace(/:$/, '')}`);
  if (url.hostname === '') throw bad('no host');
  const port = url.port === '' ? 6379 : Number(url.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw bad(`port ${url.port}`);
  const path = url.pathname.replace(/^\//, '');
  const db = path === '' ? 0 : Number(path);
  if (!/^\d*$/.test(path) || !Number.isInteger(db)) throw bad(`database "${path}" is not a number`);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return {
    host,
    port,
    db,
    tls: url.protocol === 'rediss:',
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    shown: `${url.protocol}//${url.username ? `${url.username}@` : ''}${url.host}${db ? `/${db}` : ''}`,
  };
}
