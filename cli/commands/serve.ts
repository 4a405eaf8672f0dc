import * as t from 'io-ts';
import { startWebServer } from '../../web/server.ts';
import type { Command } from '../command.ts';
import { CliError, decodeOrThrow, IntFromString } from '../options.ts';

const Flags = t.partial({ port: IntFromString, host: t.string, 'no-isolation': t.boolean });

/**
 * `pretext serve`: a page that trains a model live in the browser (web/): a PCFG corpus generated
 * there, MLM / ELECTRA / TACO trained in a Web Worker, live plots, predictions, checkpoint download.
 */
export const serveCommand: Command = {
  path: ['serve'],
  summary: 'a web page that generates a PCFG corpus and trains a model live in the browser',
  options: { port: { type: 'string' }, host: { type: 'string' }, 'no-isolation': { type: 'boolean' } },
  usage: `  --port N          port (default 8787; 0 picks a free one)
  --host ADDR       address to listen on (default 127.0.0.1: this machine only)
  --no-isolation    leave out the COOP/COEP headers: the page is not cross-origin isolated and trains
                    on one thread (the default headers let the CPU kernels use Web Workers)
Prints the page's URL and serves until Ctrl-C.`,
  async run(values) {
    const f = decodeOrThrow(Flags, values, 'serve');
    const port = f.port ?? 8787;
    if (port > 65535) throw new CliError(`--port must be in [0, 65535], got ${port}`, { flag: 'port', value: port });
    const isolation = !(f['no-isolation'] ?? false);
    const server = await startWebServer({ host: f.host ?? '127.0.0.1', port, isolation }).catch((e: Error) => {
      throw new CliError(e.message, { flag: 'port', value: port });
    });
    console.log(`pretext serve: ${server.url}  (${isolation ? 'cross-origin isolated: CPU kernels on Web Workers' : 'not cross-origin isolated: one thread'}; Ctrl-C stops)`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await server.close();
    return 0;
  },
};
