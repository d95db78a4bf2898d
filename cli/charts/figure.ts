/**
 * A chart as the reports and the dashboard show it: a caption, the SVG, and beside it a table of the
 * same numbers (readable without hovering, by screen readers, and copyable).
 */
import { escapeHtml, formatNumber } from './html.ts';

export interface ChartTable {
  /** Header cells, units included (`VMs`, `Mbps`, `start (UTC)`). */
  columns: string[];
  rows: (string | number)[][];
}

export interface ChartFigureInput {
  id: string;
  title: string;
  /** What the chart shows and how to read it (axes, colours, time zone). */
  description: string;
  /** The rendered `<svg>`, or undefined for the empty state. */
  svg: string | undefined;
  /** Shown instead of the chart when there is nothing to draw. */
  emptyText: string;
  table: ChartTable;
}

/** Styles the figures rely on; include once per page. */
export const chartStyles = `figure.chart{margin:16px 0;display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start}
figure.chart figcaption{flex-basis:100%;font-weight:600}
figure.chart figcaption p{font-weight:normal;margin:4px 0;color:#444;font-size:13px}
figure.chart .chart-table{max-height:420px;overflow:auto;border:1px solid #ddd}
figure.chart table{border-collapse:collapse}
figure.chart th{position:sticky;top:0;background:#f4f4f4}
figure.chart td.n{text-align:right;font-variant-numeric:tabular-nums}
figure.chart .empty{padding:24px;border:1px dashed #aaa;color:#444}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}`;

export function chartFigure(input: ChartFigureInput): string {
  const head = `<tr>${input.table.columns.map((c) => `<th scope="col">${escapeHtml(c)}</th>`).join('')}</tr>`;
  const body = input.table.rows
    .map(
      (row) =>
        `<tr>${row.map((cell) => (typeof cell === 'number' ? `<td class="n">${formatNumber(cell)}</td>` : `<td>${escapeHtml(cell)}</td>`)).join('')}</tr>`,
    )
    .join('');
  const picture =
    input.svg === undefined
      ? `<p class="empty" role="status">${escapeHtml(input.emptyText)}</p>`
      : `<div class="chart-svg">${input.svg}</div>`;
  const table =
    input.table.rows.length === 0
      ? ''
      : `<div class="chart-table" tabindex="0" role="region" aria-label="${escapeHtml(`${input.title}: values`)}"><table id="${input.id}-table"><caption class="visually-hidden">${escapeHtml(input.title)}</caption><thead>${head}</thead><tbody>${body}</tbody></table></div>`;
  return `<figure class="chart" id="${input.id}"><figcaption>${escapeHtml(input.title)}<p>${escapeHtml(input.description)}</p></figcaption>${picture}${table}</figure>`;
}
