import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type * as aq from 'arquero';
import type { TopLevelSpec } from 'vega-lite';
import { writeFileAtomic } from '../../util/atomicWrite.ts';
import type { StudyPlan } from '../plan.ts';
import { runFiles } from '../runFiles.ts';
import { byGroup, finalValues } from './finals.ts';
import type { ReportItem, TableItem } from './items.ts';
import { barsSpec, computeSpec, curvesSpec, scatterSpec } from './plots.ts';
import { formatMeanStd } from './stats.ts';
import { vegaLiteSvg } from './svg.ts';

export interface RenderedReport {
  readonly markdown: string;
  readonly html: string;
  readonly figures: readonly string[];
}

/** A part of the report: a table (header + rows of cells) or a figure (an SVG file). */
type Section = { title: string; table: { header: string[]; rows: string[][] }; note?: string } | { title: string; figure: string; note?: string };

/** With no `report` in the study: the final value of every scalar metric, and the loss curves. */
function defaultItems(table: aq.ColumnTable): ReportItem[] {
  const metrics = [...new Set((table.objects() as { metric: string; epoch: unknown }[]).filter((r) => r.epoch === null).map((r) => r.metric))];
  const shown = metrics.filter((m) => !['lr', 'gnorm', 'tokens_per_s', 'ms'].includes(m));
  return [{ kind: 'table', metrics: shown }, { kind: 'curves', metric: 'loss', x: 'step' }];
}

function tableSection(table: aq.ColumnTable, item: TableItem): Section {
  const columns = item.metrics.map((m) => byGroup(finalValues(table, m)));
  const groups = [...new Set(columns.flatMap((c) => [...c.keys()]))];
  return {
    title: item.title ?? 'Final values (mean ± std over seeds)',
    table: { header: ['group', 'runs', ...item.metrics], rows: groups.map((g) => [g, String(Math.max(...columns.map((c) => c.get(g)?.length ?? 0))), ...columns.map((c) => formatMeanStd(c.get(g) ?? []))]) },
  };
}

const slug = (s: string) => s.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').toLowerCase();
const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const cell = (s: string) => s.replace(/\|/g, '\\|');

function markdown(plan: StudyPlan, sections: readonly Section[], runsTable: Section): string {
  const out = [`# Study ${plan.study.name}`, '', `Rendered by \`pretext study report\` on ${new Date().toISOString().slice(0, 10)}; results in results.csv / results.json.`, ''];
  for (const s of [runsTable, ...sections]) {
    out.push(`## ${s.title}`, '');
    if ('table' in s) out.push(`| ${s.table.header.map(cell).join(' | ')} |`, `|${s.table.header.map(() => ' --- ').join('|')}|`, ...s.table.rows.map((r) => `| ${r.map(cell).join(' | ')} |`), '');
    else out.push(`![${s.title}](${s.figure})`, '');
    if (s.note) out.push(s.note, '');
  }
  return out.join('\n');
}

function html(plan: StudyPlan, sections: readonly Section[], runsTable: Section): string {
  const body = [runsTable, ...sections].map((s) => {
    const content = 'table' in s
      ? `<table><thead><tr>${s.table.header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${s.table.rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`
      : `<img src="${escapeHtml(s.figure)}" alt="${escapeHtml(s.title)}">`;
    return `<section><h2>${escapeHtml(s.title)}</h2>${content}${s.note ? `<p>${escapeHtml(s.note)}</p>` : ''}</section>`;
  });
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>Study ${escapeHtml(plan.study.name)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .6em;text-align:left}img{max-width:100%}</style>
</head><body><h1>Study ${escapeHtml(plan.study.name)}</h1>
${body.join('\n')}
</body></html>
`;
}

/**
 * Renders the study's report items into its folder: figures/NN-KIND-METRIC.svg (Vega-Lite, in
 * Node), report.md (the tables and figures) and index.html (the same, to open in a browser).
 */
export async function renderReport(plan: StudyPlan, table: aq.ColumnTable): Promise<RenderedReport> {
  const items = plan.study.report ?? defaultItems(table);
  const sections: Section[] = [];
  const figures: string[] = [];
  const figure = async (i: number, item: ReportItem, name: string, spec: TopLevelSpec, note?: string) => {
    const file = `figures/${String(i + 1).padStart(2, '0')}-${item.kind}-${slug(name)}.svg`;
    writeFileAtomic(join(plan.dir, file), await vegaLiteSvg(spec));
    figures.push(join(plan.dir, file));
    sections.push({ title: (spec as { title?: string }).title ?? name, figure: file, ...(note ? { note } : {}) });
  };
  for (const [i, item] of items.entries()) {
    if (item.kind === 'table') sections.push(tableSection(table, item));
    else if (item.kind === 'curves') await figure(i, item, item.metric, curvesSpec(table, item));
    else if (item.kind === 'compute') await figure(i, item, item.metric, computeSpec(table, item));
    else if (item.kind === 'bars') await figure(i, item, item.metric, barsSpec(table, item));
    else {
      const { spec, rho, n } = scatterSpec(table, item);
      await figure(i, item, `${item.y}-vs-${item.x}`, spec, `Spearman rank correlation of ${item.y} with ${item.x} over ${n} runs${item.nearBest ? ` (those with ${item.nearBest.metric} within ${item.nearBest.within} of the lowest)` : ''}: ${Number.isFinite(rho) ? rho.toFixed(3) : 'n/a (fewer than 3 runs or a constant metric)'}.`);
    }
  }
  const runsTable: Section = {
    title: 'Runs',
    table: {
      header: ['run', 'label', 'steps', 'status'],
      rows: plan.runs.map((r) => [r.id, r.label, String(r.steps), existsSync(runFiles(r.runDir).done) ? 'finished' : 'not finished']),
    },
  };
  const md = join(plan.dir, 'report.md');
  const index = join(plan.dir, 'index.html');
  writeFileAtomic(md, markdown(plan, sections, runsTable));
  writeFileAtomic(index, html(plan, sections, runsTable));
  return { markdown: md, html: index, figures };
}
