import { describe, expect, it } from 'vitest';
import { renderPlanReport } from '../../cli/plan/plan-report-html.ts';
import { dailyPeaks } from '../../cli/plan/plan-charts.ts';
import { estateOf, planOf } from './plan-fixtures.ts';

/** Four applications in four waves of one to two batches, on 40-VM appliances so the cap is visible. */
function smallPlan() {
  return planOf(
    estateOf([
      { name: 'pay', vms: 40, priority: 1 },
      { name: 'crm', vms: 30, priority: 2 },
      { name: 'erp', vms: 60, priority: 3, group: 'Sales' },
      { name: 'web', vms: 25, priority: 4 },
    ]),
    (o) => {
      o.waves.maxVms = 50;
      o.batches.maxVms = 20;
      o.appliances.maxVms = 40;
    },
  );
}

const tableOf = (html: string, id: string) => {
  const table = html.match(new RegExp(`<table id="${id}-table">(.*?)</table>`))?.[1];
  if (table === undefined) throw new Error(`no table ${id}`);
  return [...table.matchAll(/<tr>(.*?)<\/tr>/g)].map((row) =>
    [...row[1]!.matchAll(/<t[dh][^>]*>(.*?)<\/t[dh]>/g)].map((cell) => cell[1]),
  );
};

describe('plan report charts', () => {
  const plan = smallPlan();
  const html = renderPlanReport(plan, 'sha');

  it('draws the Gantt on a dated UTC time axis starting at the first wave', () => {
    expect(plan.waves.length).toBeGreaterThan(1);
    const first = plan.waves[0]!.replicationStart.slice(0, 10);
    expect(first).toBe('2026-01-05');
    const gantt = html.slice(html.indexOf('id="gantt"'), html.indexOf('id="vms-replicating"'));
    expect(gantt).toMatch(new RegExp(`<text[^>]*>${first}</text>`));
    expect(gantt).toMatch(/<text[^>]*>date \(UTC\)<\/text>/);
    expect(gantt).toContain(`plan start ${plan.options.start}`);
  });

  it('names every value axis with its unit and labels each limit line', () => {
    for (const name of [
      'VMs replicating (VMs)',
      'RPO bandwidth (Mbps)',
      'VMs migrated (VMs)',
      'initial replication (h)',
      'peak VMs (VMs)',
    ])
      expect(html).toMatch(new RegExp(`<text[^>]*>${name.replace(/[()]/g, '\\$&')}</text>`));
    const appliances = plan.capacity.appliances.length;
    expect(html).toMatch(new RegExp(`<text[^>]*>appliance capacity ${appliances * 40} VMs</text>`));
    expect(html).toMatch(/<text[^>]*>uplink 10,000 Mbps<\/text>/);
    expect(html).toMatch(/<text[^>]*>cap 40 VMs<\/text>/);
  });

  it('gives each bar hover text with its dates, and the batch table the same dates', () => {
    const wave = plan.waves[0]!;
    const batch = wave.batches[0]!;
    const utc = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
    const window = `${utc(batch.cutoverWindow.start)} → ${utc(batch.cutoverWindow.end)}`;
    const title = html.match(
      new RegExp(`<title>  ${batch.id} \\([^)]*\\): cutover window ([^<]*)</title>`),
    )?.[1];
    expect(title).toBeDefined();
    expect(title!.startsWith(window)).toBe(true);
    const row = tableOf(html, 'gantt').find((r) => r[0] === `  ${batch.id}`);
    expect(row?.[5]).toBe(window);
  });

  it('tables the same numbers the bars show', () => {
    const rows = tableOf(html, 'vms-replicating');
    expect(rows[0]).toEqual(['day (UTC)', 'VMs replicating (VMs)', 'limit (VMs)']);
    const { days, peaks } = dailyPeaks(plan, (w) => [w.totals.vms]);
    expect(rows.slice(1).map((r) => r.slice(0, 2))).toEqual(days.map((d, i) => [d, String(peaks[i]![0])]));
    for (const [day, value] of rows.slice(1))
      expect(html).toContain(
        `<title>${day}: ${value} VMs VMs replicating (limit ${plan.capacity.appliances.length * 40} VMs)</title>`,
      );
    const perWave = tableOf(html, 'initial-replication');
    expect(perWave.slice(1).map((r) => r[0])).toEqual(plan.waves.map((w) => w.id));
  });

  it('peaks per UTC day follow the planner: a wave frees its VMs at its cutover end', () => {
    const { days, peaks } = dailyPeaks(plan, (w) => [w.totals.vms]);
    expect(days[0]).toBe('2026-01-05');
    expect(Math.max(...peaks.map((p) => p[0]!))).toBe(
      Math.max(...plan.capacity.perWave.map((p) => p.inFlightVms)),
    );
  });

  it('renders identically twice, with ids scoped per chart', () => {
    expect(renderPlanReport(plan, 'sha')).toBe(html);
    expect(html).not.toMatch(/zr\d+-/);
    expect(html).toContain('class="gantt-chart-cls-0"');
    expect(html).not.toMatch(/<script/);
  });

  it('states an empty plan plainly instead of drawing empty axes', () => {
    const empty = planOf(estateOf([]));
    expect(empty.waves).toHaveLength(0);
    const report = renderPlanReport(empty, 'sha');
    expect(report).toContain('No waves: the plan placed no VMs, so there is no schedule to draw.');
    expect(report).not.toContain('<svg');
  });
});
