/**
 * Gantt chart on a dated UTC time axis: one row per wave or batch, each row a sequence of labelled
 * spans (replicating, cutover window…), with vertical markers (plan start, today). One SVG rectangle
 * per span: callers aggregate (per wave, per batch), never per VM.
 */
import type { EChartsOption } from 'echarts';
import { chartFigure, type ChartTable } from './figure.ts';
import { formatNumber, utcMinute } from './html.ts';
import { renderSvgChart } from './svg-chart.ts';

export interface GanttKind {
  /** Legend text, e.g. "production replication". */
  name: string;
  colour: string;
}

export interface GanttSpan {
  /** Index into `kinds`. */
  kind: number;
  /** ISO instants. */
  start: string;
  end: string;
}

export interface GanttRow {
  label: string;
  /** Extra text for hover and table, e.g. "120 VMs". */
  detail: string;
  spans: GanttSpan[];
}

export interface GanttInput {
  id: string;
  title: string;
  description: string;
  kinds: GanttKind[];
  rows: GanttRow[];
  markers: { label: string; at: string }[];
  emptyText: string;
  width?: number;
}

const rowHeight = 18;
const margin = { top: 56, bottom: 64, left: 190, right: 40 };

export function ganttOption(input: GanttInput): EChartsOption {
  const instants = input.rows.flatMap((r) =>
    r.spans.flatMap((s) => [Date.parse(s.start), Date.parse(s.end)]),
  );
  const day = 86_400_000;
  // Whole UTC days at both ends so the first and last labels are dates, not times.
  const min = Math.floor(Math.min(...instants, ...input.markers.map((m) => Date.parse(m.at))) / day) * day;
  const max = Math.ceil(Math.max(...instants) / day) * day;
  return {
    grid: { ...margin, containLabel: false },
    legend: { top: 8, left: margin.left, data: input.kinds.map((k) => k.name) },
    xAxis: {
      type: 'time',
      min,
      max,
      position: 'bottom',
      name: 'date (UTC)',
      nameLocation: 'middle',
      nameGap: 36,
      axisLabel: { formatter: '{yyyy}-{MM}-{dd}', showMinLabel: true, hideOverlap: true },
      splitLine: { show: true, lineStyle: { color: '#e6e6e6' } },
    },
    yAxis: {
      type: 'category',
      inverse: true,
      data: input.rows.map((r) => r.label),
      name: 'wave / batch',
      nameLocation: 'start',
      axisLabel: { interval: 0, fontSize: 11 },
      axisTick: { show: false },
    },
    series: [
      ...input.kinds.map((kind, k) => ({
        type: 'custom' as const,
        name: kind.name,
        itemStyle: { color: kind.colour },
        encode: { x: [1, 2], y: 0 },
        data: input.rows.flatMap((row, r) =>
          row.spans.filter((s) => s.kind === k).map((s) => [r, Date.parse(s.start), Date.parse(s.end)]),
        ),
        renderItem: (
          _params: unknown,
          api: {
            value: (dim: number) => number;
            coord: (point: number[]) => number[];
            size: (value: number[]) => number[];
          },
        ) => {
          const [x0 = 0, y = 0] = api.coord([api.value(1), api.value(0)]);
          const [x1 = 0] = api.coord([api.value(2), api.value(0)]);
          const height = (api.size([0, 1])[1] ?? rowHeight) * 0.7;
          return {
            type: 'rect',
            // A one-hour cutover window on a year-long axis is still visible (2 px).
            shape: { x: x0, y: y - height / 2, width: Math.max(2, x1 - x0), height },
            style: { fill: kind.colour },
          };
        },
      })),
      {
        type: 'line',
        name: 'markers',
        data: [],
        markLine: {
          symbol: 'none',
          silent: true,
          lineStyle: { color: '#222', type: 'dashed' },
          label: { position: 'start', formatter: '{b}' },
          data: input.markers.map((m) => ({ name: m.label, xAxis: Date.parse(m.at) })),
        },
      },
    ],
  } as EChartsOption;
}

export function ganttChart(input: GanttInput): string {
  const width = input.width ?? 1000;
  const spansOf = (k: number) =>
    input.rows.flatMap((row) => row.spans.filter((s) => s.kind === k).map((span) => ({ row, span })));
  const table: ChartTable = {
    columns: ['row', 'detail', ...input.kinds.map((k) => `${k.name} (UTC)`)],
    rows: input.rows.map((row) => [
      row.label,
      row.detail,
      ...input.kinds.flatMap((_, k) => {
        const span = row.spans.find((s) => s.kind === k);
        return span === undefined ? [''] : [`${utcMinute(span.start)} → ${utcMinute(span.end)}`];
      }),
    ]),
  };
  const svg =
    input.rows.length === 0
      ? undefined
      : renderSvgChart({
          id: `${input.id}-chart`,
          label: input.title,
          width,
          height: margin.top + margin.bottom + input.rows.length * rowHeight,
          option: ganttOption(input),
          titleOf: (series, index) => {
            const kind = input.kinds[series];
            const entry = spansOf(series)[index];
            if (kind === undefined || entry === undefined) return undefined;
            const days = (Date.parse(entry.span.end) - Date.parse(entry.span.start)) / 86_400_000;
            return `${entry.row.label} (${entry.row.detail}): ${kind.name} ${utcMinute(entry.span.start)} → ${utcMinute(entry.span.end)} (${formatNumber(days)} days)`;
          },
        });
  return chartFigure({ ...input, svg, table });
}
