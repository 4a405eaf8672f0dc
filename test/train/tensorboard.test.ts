import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.ts';
import { crc32c, maskedCrc32c } from '../../train/tensorboard/crc32c.ts';
import { TensorBoardWriter } from '../../train/tensorboard/writer.ts';
import { studyFixture } from '../study/fixture.ts';

const bytes = (s: string) => new TextEncoder().encode(s);

/** An independent reader of TFRecords and the Event fields the writer uses, checking both CRCs. */
function readEvents(file: string) {
  const buf = readFileSync(file);
  const events: { wallTime?: number; step: number; version?: string; scalars: Record<string, number> }[] = [];
  let at = 0;
  while (at < buf.length) {
    const len = Number(buf.readBigUInt64LE(at));
    expect(buf.readUInt32LE(at + 8)).toBe(maskedCrc32c(buf.subarray(at, at + 8)));
    const data = buf.subarray(at + 12, at + 12 + len);
    expect(buf.readUInt32LE(at + 12 + len)).toBe(maskedCrc32c(data));
    at += 16 + len;
    events.push(parseEvent(data));
  }
  return events;
}

function fields(b: Buffer): { field: number; wire: number; value: number | bigint | Buffer }[] {
  const out: { field: number; wire: number; value: number | bigint | Buffer }[] = [];
  let i = 0;
  const varint = () => {
    let v = 0n;
    let shift = 0n;
    for (;;) {
      const x = b[i++]!;
      v |= BigInt(x & 0x7f) << shift;
      shift += 7n;
      if (!(x & 0x80)) return v;
    }
  };
  while (i < b.length) {
    const key = Number(varint());
    const [field, wire] = [key >> 3, key & 7];
    if (wire === 0) out.push({ field, wire, value: varint() });
    else if (wire === 1) { out.push({ field, wire, value: b.readDoubleLE(i) }); i += 8; }
    else if (wire === 5) { out.push({ field, wire, value: b.readFloatLE(i) }); i += 4; }
    else if (wire === 2) { const n = Number(varint()); out.push({ field, wire, value: b.subarray(i, i + n) }); i += n; }
    else throw new Error(`wire type ${wire}`);
  }
  return out;
}

function parseEvent(data: Buffer) {
  const e: { wallTime?: number; step: number; version?: string; scalars: Record<string, number> } = { step: 0, scalars: {} };
  for (const f of fields(data)) {
    if (f.field === 1) e.wallTime = f.value as number;
    if (f.field === 2) e.step = Number(f.value);
    if (f.field === 3) e.version = (f.value as Buffer).toString('utf8');
    if (f.field === 5) {
      for (const v of fields(f.value as Buffer)) {
        const parts = fields(v.value as Buffer);
        e.scalars[(parts.find((p) => p.field === 1)!.value as Buffer).toString('utf8')] = parts.find((p) => p.field === 2)!.value as number;
      }
    }
  }
  return e;
}

describe('CRC-32C', () => {
  it('matches the standard check values', () => {
    expect(crc32c(bytes('123456789'))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(0))).toBe(0);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa); // RFC 3720 B.4: 32 bytes of zeros
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43); // RFC 3720 B.4: 32 bytes of 0xff
  });

  it("masks as TFRecord does: ((c >>> 15) | (c << 17)) + 0xa282ead8", () => {
    const c = 0xe3069283;
    expect(maskedCrc32c(bytes('123456789'))).toBe(((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) >>> 0);
  });
});

describe('TensorBoard event files', () => {
  let dir = '';
  beforeAll(async () => {
    ({ dir } = await studyFixture('pretext-tb-'));
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trip: a version event, then scalars with their steps and tags', () => {
    const w = new TensorBoardWriter(join(dir, 'direct'));
    w.scalars(3, { 'train/loss': 1.5, 'valid/loss': -2.25 });
    w.scalars(7, { 'train/loss': 0.125 });
    const events = readEvents(w.file);
    expect(events[0]!.version).toBe('brain.Event:2');
    expect(events.slice(1).map((e) => [e.step, e.scalars])).toEqual([[3, { 'train/loss': 1.5, 'valid/loss': -2.25 }], [7, { 'train/loss': 0.125 }]]);
    expect(events[1]!.wallTime).toBeGreaterThan(1.6e9);
  });

  it('train --tensorboard DIR writes every logged loss at its update', async () => {
    const tb = join(dir, 'tb');
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    const code = await main(['train', '--objective', 'mlm', '--corpus', join(dir, 'corpus'), '--steps', '3', '--out', join(dir, 'run'), '--no-progress', '--tensorboard', tb]);
    err.mockRestore();
    expect(code).toBe(0);
    const [file] = readdirSync(tb).filter((f) => f.startsWith('events.out.tfevents.'));
    const losses = readEvents(join(tb, file!)).filter((e) => 'train/loss' in e.scalars).map((e) => [e.step, e.scalars['train/loss']]);
    const logged = readFileSync(join(dir, 'run', 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { update?: number; loss?: number }).filter((l) => l.loss !== undefined);
    expect(losses).toEqual(logged.map((l) => [l.update, Math.fround(l.loss!)]));
    expect(losses.length).toBeGreaterThan(0);
  }, 60_000);
});
