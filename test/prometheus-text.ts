/**
 * Reading Prometheus text pages in tests: the samples of a scrape, the metric names a page declares, and
 * the metric names a Grafana dashboard's PromQL queries use.
 */

export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const sampleLine = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const labelPair = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parseMetrics(text: string): MetricSample[] {
  const samples: MetricSample[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim() || line.startsWith('#')) continue;
    const match = sampleLine.exec(line.trim());
    if (!match) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(labelPair))
      labels[key!] = value!.replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c));
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

/** The value of the one sample with exactly these labels (among others), or undefined. */
export function sample(
  samples: MetricSample[],
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const found = samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([key, value]) => s.labels[key] === value),
  );
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return found[0]?.value;
}

/**
 * Every series name a page can have: sample names, and the names its `# TYPE` lines declare (a labelled
 * metric with no value yet has no sample), with a histogram's and a summary's suffixes.
 */
export function metricNamesOf(text: string): Set<string> {
  const names = new Set(parseMetrics(text).map((s) => s.name));
  for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(name!);
    if (type === 'histogram')
      for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${name}${suffix}`);
    if (type === 'summary') for (const suffix of ['_sum', '_count']) names.add(`${name}${suffix}`);
  }
  return names;
}

interface DashboardPanel {
  targets?: { expr?: string }[];
  panels?: DashboardPanel[];
}

const promqlWords = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'and',
  'or',
  'unless',
  'offset',
  'inf',
  'nan',
]);

/** The PromQL expressions of a dashboard's panels (rows' panels included). */
export function dashboardExprs(dashboard: { panels?: DashboardPanel[] }): string[] {
  const walk = (panels: DashboardPanel[] = []): string[] =>
    panels.flatMap((panel) => [
      ...(panel.targets ?? []).map((target) => target.expr ?? '').filter(Boolean),
      ...walk(panel.panels),
    ]);
  return walk(dashboard.panels);
}

/** The metric names a PromQL expression selects (not its functions, keywords or label names). */
export function promqlMetricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\$\{?\w+\}?/g, ' ');
  const names: string[] = [];
  for (const match of stripped.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const word = match[0];
    const after = stripped.slice(match.index + word.length).trimStart();
    if (after.startsWith('(') || promqlWords.has(word.toLowerCase())) continue;
    // Numbers such as 1e3 and durations are not names.
    if (/^\d/.test(word) || (match.index > 0 && /[0-9.]/.test(stripped[match.index - 1]!))) continue;
    names.push(word);
  }
  return names;
}

export function dashboardMetricNames(dashboard: { panels?: DashboardPanel[] }): string[] {
  return [...new Set(dashboardExprs(dashboard).flatMap(promqlMetricNames))].sort();
}
