/** A small live line plot in an SVG element (a few hundred points, redrawn as they come). */
export function drawLinePlot(svg: SVGSVGElement, points: readonly (readonly [number, number])[], options: { readonly color: string; readonly xMax?: number }): void {
  const w = svg.width.baseVal.value;
  const h = svg.height.baseVal.value;
  const pad = { l: 48, r: 10, t: 10, b: 24 };
  const finite = points.filter(([, y]) => Number.isFinite(y));
  const xs = finite.map(([x]) => x);
  const ys = finite.map(([, y]) => y);
  const x0 = 0;
  const x1 = Math.max(options.xMax ?? 0, ...xs, 1);
  let y0 = ys.length > 0 ? Math.min(...ys) : 0;
  let y1 = ys.length > 0 ? Math.max(...ys) : 1;
  if (!(y1 > y0)) [y0, y1] = [y0 - 0.5, y1 + 0.5];
  const px = (x: number) => pad.l + ((x - x0) / (x1 - x0)) * (w - pad.l - pad.r);
  const py = (y: number) => h - pad.b - ((y - y0) / (y1 - y0)) * (h - pad.t - pad.b);
  const ticks = [y0, (y0 + y1) / 2, y1];
  const path = finite.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${px(x).toFixed(1)},${py(y).toFixed(1)}`).join('');
  svg.innerHTML = [
    `<line x1="${pad.l}" y1="${h - pad.b}" x2="${w - pad.r}" y2="${h - pad.b}" stroke="#999"/>`,
    `<line x1="${pad.l}" y1="${pad.t}" x2="${pad.l}" y2="${h - pad.b}" stroke="#999"/>`,
    ...ticks.map((t) => `<text x="${pad.l - 4}" y="${py(t) + 4}" font-size="10" text-anchor="end" fill="#555">${t.toPrecision(3)}</text>`),
    `<text x="${w - pad.r}" y="${h - 6}" font-size="10" text-anchor="end" fill="#555">update ${x1}</text>`,
    `<path d="${path}" fill="none" stroke="${options.color}" stroke-width="1.5"/>`,
  ].join('');
}
