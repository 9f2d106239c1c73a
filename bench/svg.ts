/**
 * bench/svg.ts - the report's charts, as plain SVG text (no dependency):
 * a bar chart of ratios with a line at 1.0 and whiskers for the spread, and a
 * log-log line chart of time against region size for the copy paths.
 */

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const text = (x: number, y: number, s: string, extra = '') => `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${extra}>${esc(s)}</text>`;

export interface Bar {
  label: string;
  ratio: number;
  /** The spread of the ratio over the repeated runs, when there were several. */
  low?: number;
  high?: number;
  verdict?: 'PASS' | 'FAIL';
}

/** Horizontal bars of ratios (ours / baseline) on a log axis, 1.0 marked; `goal` draws a dashed line. */
export function barChart(title: string, bars: Bar[], goal?: number): string {
  const rowH = 26;
  const left = 300;
  const width = 820;
  const plotW = width - left - 90;
  const top = 52;
  const height = top + bars.length * rowH + 40;
  const values = bars.flatMap((b) => [b.ratio, b.low ?? b.ratio, b.high ?? b.ratio, 1, goal ?? 1]).filter((v) => v > 0 && Number.isFinite(v));
  const lo = Math.pow(10, Math.floor(Math.log10(Math.min(...values))));
  const hi = Math.pow(10, Math.ceil(Math.log10(Math.max(...values)) + 1e-9));
  const x = (v: number) => left + ((Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo) || 1)) * plotW;
  const out = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`, text(10, 20, title, 'font-size="14" font-weight="bold"'),
    text(10, 38, 'time ratio, tsdbg / baseline (log; below 1: tsdbg is faster); whiskers: the spread of repeated runs', 'fill="#555"')];
  for (let d = lo; d <= hi * 1.0001; d *= 10) {
    out.push(`<line x1="${x(d)}" y1="${top - 6}" x2="${x(d)}" y2="${height - 30}" stroke="#ddd"/>`, text(x(d) - 10, height - 14, `${d}x`));
  }
  out.push(`<line x1="${x(1)}" y1="${top - 6}" x2="${x(1)}" y2="${height - 30}" stroke="#000"/>`);
  if (goal !== undefined) out.push(`<line x1="${x(goal)}" y1="${top - 6}" x2="${x(goal)}" y2="${height - 30}" stroke="#d62728" stroke-dasharray="4 3"/>`);
  bars.forEach((b, i) => {
    const y = top + i * rowH;
    const color = b.verdict === 'FAIL' ? '#d62728' : b.verdict === 'PASS' ? '#2ca02c' : '#1f77b4';
    out.push(text(left - 8, y + 15, b.label.length > 46 ? `${b.label.slice(0, 45)}…` : b.label, 'text-anchor="end"'));
    if (!(b.ratio > 0) || !Number.isFinite(b.ratio)) { out.push(text(left + 4, y + 15, 'not measured')); return; }
    const x0 = x(Math.min(1, b.ratio));
    out.push(`<rect x="${x0}" y="${y + 4}" width="${Math.max(1, Math.abs(x(b.ratio) - x(1)))}" height="${rowH - 10}" fill="${color}" opacity="0.8"/>`);
    if (b.low !== undefined && b.high !== undefined && b.high > b.low) {
      out.push(`<line x1="${x(b.low)}" y1="${y + 12}" x2="${x(b.high)}" y2="${y + 12}" stroke="#000"/>`,
        `<line x1="${x(b.low)}" y1="${y + 7}" x2="${x(b.low)}" y2="${y + 17}" stroke="#000"/>`,
        `<line x1="${x(b.high)}" y1="${y + 7}" x2="${x(b.high)}" y2="${y + 17}" stroke="#000"/>`);
    }
    out.push(text(Math.max(x(b.ratio), x(1), b.high ? x(b.high) : 0) + 6, y + 15, `${b.ratio < 0.1 ? b.ratio.toPrecision(2) : b.ratio.toFixed(2)}x${b.verdict ? ` ${b.verdict}` : ''}`));
  });
  out.push('</svg>');
  return out.join('\n');
}

export interface Series { name: string; points: Array<[number, number]> }

/** Lines of time (log y) against region size in bytes (log x). */
export function sizeChart(title: string, unit: string, series: Series[]): string {
  const width = 820;
  const height = 420;
  const [left, right, top, bottom] = [70, 250, 40, 50];
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = series.flatMap((s) => s.points.map((p) => p[1])).filter((v) => v > 0);
  const [x0, x1] = [Math.log2(Math.min(...xs)), Math.log2(Math.max(...xs))];
  const [y0, y1] = [Math.floor(Math.log10(Math.min(...ys))), Math.ceil(Math.log10(Math.max(...ys)))];
  const px = (b: number) => left + ((Math.log2(b) - x0) / (x1 - x0 || 1)) * (width - left - right);
  const py = (v: number) => height - bottom - ((Math.log10(v) - y0) / (y1 - y0 || 1)) * (height - top - bottom);
  const out = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`, text(10, 20, title, 'font-size="14" font-weight="bold"')];
  for (let e = y0; e <= y1; e++) {
    out.push(`<line x1="${left}" y1="${py(10 ** e)}" x2="${width - right}" y2="${py(10 ** e)}" stroke="#ddd"/>`, text(8, py(10 ** e) + 4, `${10 ** e} ${unit}`));
  }
  for (const b of [...new Set(xs)].sort((a, c) => a - c)) {
    out.push(`<line x1="${px(b)}" y1="${top}" x2="${px(b)}" y2="${height - bottom}" stroke="#eee"/>`,
      text(px(b) - 16, height - bottom + 18, b >= 1 << 20 ? `${b / (1 << 20)} MiB` : `${b / 1024} KiB`));
  }
  out.push(text(left + (width - left - right) / 2 - 40, height - 12, 'region size (log)'));
  series.forEach((s, i) => {
    const c = COLORS[i % COLORS.length];
    const pts = s.points.filter((p) => p[1] > 0).sort((a, b) => a[0] - b[0]);
    out.push(`<polyline fill="none" stroke="${c}" stroke-width="2" points="${pts.map((p) => `${px(p[0]).toFixed(1)},${py(p[1]).toFixed(1)}`).join(' ')}"/>`);
    for (const p of pts) out.push(`<circle cx="${px(p[0]).toFixed(1)}" cy="${py(p[1]).toFixed(1)}" r="3" fill="${c}"/>`);
    out.push(`<rect x="${width - right + 10}" y="${top + i * 18}" width="12" height="3" fill="${c}"/>`, text(width - right + 28, top + i * 18 + 5, s.name));
  });
  out.push('</svg>');
  return out.join('\n');
}
