import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { excessLossRows, hessianRows, markdownTable, metricsByRun, metricsTable, probeRows, writeTable, type ExcessLossSummary } from '../../eval/index.ts';
import type { HutchinsonResult } from '../../eval/hessianTrace.ts';
import type { LinearProbeResult } from '../../eval/linearProbe.ts';
import { makeTmpDir } from '../corpora/tmpDir.ts';

const loss = (l: number, o: number): ExcessLossSummary => ({
  loss: l, optimalLoss: o, excessLoss: l - o, lossStdErr: 0.01, optimalLossStdErr: 0.01, excessLossStdErr: 0.001, sentences: 10, positions: 100,
});
const hess = (t: number) => ({ trace: t, stdErr: 2 }) as HutchinsonResult;
const probe = (accs: number[]) => ({
  epochs: accs.map((a, i) => ({ epoch: i + 1, trainLoss: 1, validAccuracy: a, steps: i + 1 })),
  finalAccuracy: accs[accs.length - 1]!, bestAccuracy: Math.max(...accs),
}) as unknown as LinearProbeResult;

describe('reports', () => {
  const rows = [
    ...excessLossRows('small', loss(4.5, 4.4), 1000),
    ...hessianRows('small', hess(120), 1000),
    ...probeRows('small', probe([0.5, 0.7, 0.6]), 1000),
    ...excessLossRows('large', loss(4.45, 4.4), 1000),
    ...probeRows('large', probe([0.6, 0.8]), 1000),
  ];
  const table = metricsTable(rows);

  it('keeps one row per run x metric (x epoch) in a long table', () => {
    expect(table.numRows()).toBe(rows.length);
    expect(table.columnNames()).toEqual(['run', 'step', 'metric', 'epoch', 'value', 'stdErr']);
    const curve = table.filter((d: { run: string; metric: string }) => d.run === 'small' && d.metric === 'probe_accuracy').objects() as { epoch: number; value: number }[];
    expect(curve.map((r) => [r.epoch, r.value])).toEqual([[1, 0.5], [2, 0.7], [3, 0.6]]);
  });

  it('pivots scalar metrics to one row per run, null where a run lacks a metric', () => {
    const wide = metricsByRun(table, ['excess_loss', 'hessian_trace', 'probe_final_accuracy']).objects() as Record<string, unknown>[];
    expect(wide).toHaveLength(2);
    const small = wide.find((r) => r.run === 'small')!;
    const large = wide.find((r) => r.run === 'large')!;
    expect(small.excess_loss).toBeCloseTo(0.1, 12);
    expect(small.hessian_trace).toBe(120);
    expect(small.probe_final_accuracy).toBe(0.6);
    expect(large.hessian_trace ?? null).toBeNull();
    expect(large.probe_final_accuracy).toBe(0.8);
    expect(Object.keys(small)).toEqual(['run', 'step', 'excess_loss', 'hessian_trace', 'probe_final_accuracy']);
  });

  it('renders markdown and writes CSV / JSON', () => {
    const md = markdownTable(metricsByRun(table, ['loss', 'excess_loss']), 3);
    const lines = md.trim().split('\n');
    expect(lines[0]).toMatch(/\|run\|step\|loss\|excess_loss\|/);
    expect(lines).toHaveLength(4);
    expect(md).toMatch(/\|small\|1000\|4\.50*\|0\.10*\|/);
    const dir = makeTmpDir('pretext-report-');
    writeTable(table, join(dir, 'm.csv'));
    writeTable(table, join(dir, 'm.json'));
    const csv = readFileSync(join(dir, 'm.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('run,step,metric,epoch,value,stdErr');
    expect(csv).toHaveLength(rows.length + 1);
    expect(JSON.parse(readFileSync(join(dir, 'm.json'), 'utf8'))).toHaveLength(rows.length);
    expect(() => writeTable(table, join(dir, 'm.txt'))).toThrow(/extension/);
  });
});
