/**
 * Self-contained HTML report of a plan (no script, nothing loaded from the network): a dated wave and
 * batch Gantt chart and capacity charts with axes, units, limit lines, hover text and a table of the
 * same values beside each chart (`plan-charts.ts`, rendered as inline SVG by `cli/charts/`).
 */
import type { Plan } from '../../domain/plan/plan-schema.ts';
import { chartStyles } from '../charts/figure.ts';
import { escapeHtml as escape } from '../charts/html.ts';
import { planCapacityCharts, planGantt } from './plan-charts.ts';

/** Everything the plan left out, each with its reason: servers that are not VMware VMs first. */
function notPlanned(plan: Plan): string {
  const section = (title: string, note: string, entries: Plan['excluded'], platform: boolean) =>
    entries.length === 0
      ? ''
      : `<h2>${escape(title)} (${entries.length})</h2><p>${escape(note)}</p><table><tr><th>${platform ? 'server</th><th>platform' : 'kind</th><th>name'}</th><th>reason</th></tr>${entries
          .map(
            (e) =>
              `<tr><td>${escape(platform ? (e.name ?? e.id) : e.kind)}</td><td>${escape(platform ? (e.platform ?? '') : (e.name ?? e.id))}</td><td>${escape(e.reason)}</td></tr>`,
          )
          .join('')}</table>`;
  return [
    section(
      'Refused for waves: not VMware VMs',
      'The factory migrates VMware VMs through Site Recovery; these servers need another migration path.',
      plan.excluded.filter((e) => e.category === 'not-vmware'),
      true,
    ),
    section(
      'Exclusion candidates left out',
      'Templates, migration appliances and powered-off VMs; opt powered-off VMs or templates in with options.exclusions and plan again.',
      plan.excluded.filter((e) => e.category === 'exclusion-candidate'),
      false,
    ),
    section(
      'Other exclusions',
      'Pins, Not ready servers, servers of no planned application, databases without a target.',
      plan.excluded.filter((e) => e.category === undefined),
      false,
    ),
  ].join('\n');
}

export function renderPlanReport(plan: Plan, sha256: string): string {
  const s = plan.summary;
  const shownViolations = 200;
  const rows = plan.capacity.violations
    .slice(0, shownViolations)
    .map(
      (v) => `<tr><td>${escape(v.rule)}</td><td>${escape(v.subject)}</td><td>${escape(v.message)}</td></tr>`,
    );
  return `<!doctype html><html><head><meta charset="utf-8"><title>Migration plan</title>
<style>body{font-family:system-ui,sans-serif;margin:24px}td,th{border-bottom:1px solid #ddd;padding:2px 8px;text-align:left;font-size:12px}\n${chartStyles}</style></head><body>
<h1>Migration plan</h1>
<p>${s.waves} waves, ${s.batches} batches, ${s.vms} VMs, ${s.databases} databases, ${s.usedTB} TB. Makespan <b>${s.makespanDays} days</b>, lower bound ${s.lowerBoundDays} days (${escape(s.lowerBoundBinding)}). Plan sha256 <code>${sha256}</code>.</p>
<p>Churn: ${s.assumedChurnServers ?? 0} of ${s.vms} servers have no disk write data; their churn is assumed at ${plan.options.replication.defaultDailyChurnShare * 100} % of used storage per day, not measured.</p>
<h2>Schedule</h2><p>All dates and times are UTC; each batch's reasons in plan.json give its window in the business group's own time zone.</p>
${planGantt(plan)}
<h2>Capacity</h2>
${planCapacityCharts(plan).join('\n')}
<h2>Capacity violations (${plan.capacity.violations.length})</h2><table><tr><th>rule</th><th>subject</th><th>message</th></tr>${rows.join('')}</table>${plan.capacity.violations.length > shownViolations ? `<p>… and ${plan.capacity.violations.length - shownViolations} more in plan.json (capacity.violations).</p>` : ''}
${notPlanned(plan)}
</body></html>
`;
}
