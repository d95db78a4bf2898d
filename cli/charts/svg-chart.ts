/**
 * Server-side SVG rendering with Apache ECharts (no DOM, no client script): one chart in, one
 * self-contained `<svg>` string out, identical for identical input so reports and tests can compare it.
 * ECharts' SSR output has no tooltip without its client runtime, so each data element gets an SVG
 * `<title>` (the browser shows it on hover and screen readers read it).
 */
import * as echarts from 'echarts';
import { escapeHtml } from './html.ts';

export interface SvgChartSpec {
  /** Unique on the page, [a-z0-9-]: prefixes the chart's CSS classes and clip-path ids. */
  id: string;
  /** Read by screen readers as the chart's name. */
  label: string;
  width: number;
  height: number;
  option: echarts.EChartsOption;
  /** Hover text of the data element `dataIndex` of series `seriesIndex`; undefined leaves it untitled. */
  titleOf: (seriesIndex: number, dataIndex: number) => string | undefined;
}

const chartId = /^[a-z][a-z0-9-]*$/;

export function renderSvgChart(spec: SvgChartSpec): string {
  if (!chartId.test(spec.id)) throw new Error(`chart id "${spec.id}" must match ${chartId.source}`);
  const chart = echarts.init(null, null, {
    renderer: 'svg',
    ssr: true,
    width: spec.width,
    height: spec.height,
  });
  let svg: string;
  try {
    // Animation off: SSR renders the first frame, and an animated first frame is empty.
    chart.setOption({ animation: false, useUTC: true, ...spec.option });
    svg = chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
  const renumbered = new Map<string, string>();
  const counters = new Map<string, number>();
  return (
    svg
      // zrender numbers its instances, CSS classes and clip paths process-wide (zr3-cls-41): a render would
      // depend on what ran before, and two charts on one page would share ids. Renumber from 0 per chart.
      .replace(/\bzr\d+-([a-z-]*?)(\d+)\b/g, (token: string, kind: string) => {
        let id = renumbered.get(token);
        if (id === undefined) {
          const next = counters.get(kind) ?? 0;
          counters.set(kind, next + 1);
          id = `${spec.id}-${kind}${next}`;
          renumbered.set(token, id);
        }
        return id;
      })
      .replace(/<svg /, `<svg role="img" aria-label="${escapeHtml(spec.label)}" id="${spec.id}-svg" `)
      .replace(
        /<(path|rect|circle)( [^>]*ecmeta_series_index="(\d+)" ecmeta_data_index="(\d+)" ecmeta_ssr_type="chart"[^>]*)><\/\1>/g,
        (element, tag: string, attributes: string, series: string, data: string) => {
          const title = spec.titleOf(Number(series), Number(data));
          return title === undefined
            ? element
            : `<${tag}${attributes}><title>${escapeHtml(title)}</title></${tag}>`;
        },
      )
  );
}
