/**
 * Bar charts with a labelled limit line: values per UTC day on a dated time axis (capacity over the
 * schedule) or per category (per wave, per appliance). Every axis names its quantity and unit; each bar
 * has hover text and the table beside the chart repeats the values.
 */
import type { EChartsOption } from 'echarts';
import { chartFigure } from './figure.ts';
import { formatNumber } from './html.ts';
import { renderSvgChart } from './svg-chart.ts';

export interface ChartLimit {
  value: number;
  /** Drawn at the line's end, e.g. "uplink 10,000 Mbps". */
  label: string;
}

export interface BarChartInput {
  id: string;
  title: string;
  description: string;
  /** `{ day: 'YYYY-MM-DD' }` bars go on a dated UTC time axis, `{ category }` bars on a category axis. */
  bars: ({ day: string } | { category: string })[] & { length: number };
  values: number[];
  /** Category axis name (ignored for days, whose axis is "date (UTC)"). */
  xName: string;
  /** Quantity on the value axis, e.g. "VMs replicating". */
  yName: string;
  /** Unit of the values, e.g. "VMs", "Mbps", "h". */
  unit: string;
  limit?: ChartLimit;
  emptyText: string;
  /** `line` draws a cumulative quantity (burn-up) as a line instead of bars. */
  kind?: 'bar' | 'line';
  width?: number;
  height?: number;
}

const labelOf = (bar: { day: string } | { category: string }) => ('day' in bar ? bar.day : bar.category);
const dayStart = (day: string) => Date.parse(`${day}T00:00:00Z`);

export function barChartOption(input: BarChartInput): EChartsOption {
  const daily = input.bars.length > 0 && 'day' in input.bars[0]!;
  const x = (i: number) => {
    const bar = input.bars[i]!;
    // A day's bar sits at the day's noon: it covers the day, and the day's label sits under its start.
    return 'day' in bar ? dayStart(bar.day) + 43_200_000 : labelOf(bar);
  };
  const data: [number | string, number][] = input.values.map((v, i) => [x(i), v]);
  const first = input.bars[0];
  const last = input.bars[input.bars.length - 1];
  const span =
    daily && first !== undefined && last !== undefined && 'day' in first && 'day' in last
      ? { min: dayStart(first.day), max: dayStart(last.day) + 86_400_000 }
      : {};
  // An all-zero series still gets a readable 0–1 scale.
  const top = Math.max(0, ...input.values, input.limit?.value ?? 0);
  return {
    grid: { top: 40, bottom: 64, left: 72, right: 200 },
    xAxis: daily
      ? {
          type: 'time',
          ...span,
          name: 'date (UTC)',
          nameLocation: 'middle',
          nameGap: 36,
          axisLabel: { formatter: '{yyyy}-{MM}-{dd}', showMinLabel: true, hideOverlap: true },
        }
      : {
          type: 'category',
          data: input.bars.map(labelOf),
          name: input.xName,
          nameLocation: 'middle',
          nameGap: 36,
          axisLabel: { hideOverlap: true },
        },
    yAxis: {
      type: 'value',
      name: `${input.yName} (${input.unit})`,
      nameLocation: 'end',
      nameTextStyle: { align: 'left' },
      min: 0,
      max: top === 0 ? 1 : undefined,
      axisLabel: { formatter: (v: number) => formatNumber(v) },
    },
    series: [
      input.kind === 'line'
        ? {
            type: 'line',
            name: input.yName,
            data,
            symbol: 'circle',
            symbolSize: 4,
            step: 'middle',
            color: '#3b6ea5',
          }
        : { type: 'bar', name: input.yName, data, barCategoryGap: '10%', barMaxWidth: 40, color: '#3b6ea5' },
      ...(input.limit === undefined
        ? []
        : [
            {
              type: 'line' as const,
              name: input.limit.label,
              // One invisible point keeps the limit inside the value axis; the markLine draws it across.
              data: [[data[0]?.[0] ?? 0, input.limit.value]],
              symbol: 'none',
              silent: true,
              color: '#d1495b',
              markLine: {
                symbol: 'none',
                silent: true,
                lineStyle: { color: '#d1495b', type: 'dashed' as const, width: 2 },
                label: { position: 'end' as const, formatter: input.limit.label, color: '#d1495b' },
                data: [{ yAxis: input.limit.value }],
              },
            },
          ]),
    ],
  };
}

export function barChart(input: BarChartInput): string {
  const column = 'day' in (input.bars[0] ?? { category: '' }) ? 'day (UTC)' : input.xName;
  const svg =
    input.bars.length === 0
      ? undefined
      : renderSvgChart({
          id: `${input.id}-chart`,
          label: input.title,
          width: input.width ?? 860,
          height: input.height ?? 300,
          option: barChartOption(input),
          titleOf: (series, index) => {
            const bar = input.bars[index];
            const value = input.values[index];
            if (series !== 0 || bar === undefined || value === undefined) return undefined;
            const limit =
              input.limit === undefined ? '' : ` (limit ${formatNumber(input.limit.value)} ${input.unit})`;
            return `${labelOf(bar)}: ${formatNumber(value)} ${input.unit} ${input.yName}${limit}`;
          },
        });
  return chartFigure({
    id: input.id,
    title: input.title,
    description: input.description,
    emptyText: input.emptyText,
    svg,
    table: {
      columns: [
        column,
        `${input.yName} (${input.unit})`,
        ...(input.limit === undefined ? [] : [`limit (${input.unit})`]),
      ],
      rows: input.bars.map((bar, i) => [
        labelOf(bar),
        input.values[i] ?? 0,
        ...(input.limit === undefined ? [] : [input.limit.value]),
      ]),
    },
  });
}
