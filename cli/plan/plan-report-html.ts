/**
 * Self-contained HTML report of a plan: a wave Gantt chart (replication bar, cutover marker) and
 * capacity charts (VMs in flight, appliances, RPO bandwidth against the uplink), all inline SVG.
 */
import type { Plan } from '../../domain/plan/plan-schema.ts';

const escape = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

function gantt(plan: Plan): string {
  const t0 = Date.parse(`${plan.options.start}T00:00:00Z`);
  const end = Math.max(t0 + 1, ...plan.waves.map((w) => Date.parse(w.cutoverEnd)));
  const width = 900;
  const row = 16;
  const x = (iso: string) => 140 + ((Date.parse(iso) - t0) / (end - t0)) * (width - 150);
  const bars = plan.waves.map((w, i) => {
    const y = 20 + i * row;
    const colour = w.environment === 'production' ? '#3b6ea5' : '#7fb069';
    return `<text x="4" y="${y + 11}" font-size="11">${escape(w.id)} (${w.totals.vms})</text><rect x="${x(w.replicationStart)}" y="${y}" width="${Math.max(1, x(w.replicationEnd) - x(w.replicationStart))}" height="12" fill="${colour}"><title>${escape(`${w.id}: replicate ${w.replicationStart} → ${w.replicationEnd}`)}</title></rect><rect x="${x(w.cutoverStart)}" y="${y}" width="${Math.max(2, x(w.cutoverEnd) - x(w.cutoverStart))}" height="12" fill="#d1495b"><title>${escape(`${w.id}: cutover ${w.cutoverStart} → ${w.cutoverEnd}`)}</title></rect>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${30 + plan.waves.length * row}">${bars.join('')}</svg>`;
}

function columns(title: string, values: { label: string; value: number }[], limit?: number): string {
  const max = Math.max(1, limit ?? 0, ...values.map((v) => v.value));
  const w = Math.max(4, Math.floor(880 / Math.max(1, values.length)));
  const bars = values.map(
    (v, i) =>
      `<rect x="${10 + i * w}" y="${160 - (v.value / max) * 140}" width="${w - 1}" height="${(v.value / max) * 140}" fill="#3b6ea5"><title>${escape(`${v.label}: ${v.value}`)}</title></rect>`,
  );
  const line =
    limit === undefined
      ? ''
      : `<line x1="0" x2="900" y1="${160 - (limit / max) * 140}" y2="${160 - (limit / max) * 140}" stroke="#d1495b" stroke-dasharray="4"/>`;
  return `<h3>${escape(title)}</h3><svg xmlns="http://www.w3.org/2000/svg" width="900" height="170">${bars.join('')}${line}</svg>`;
}

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
  const per = plan.capacity.perWave;
  const shownViolations = 200;
  const rows = plan.capacity.violations
    .slice(0, shownViolations)
    .map(
      (v) => `<tr><td>${escape(v.rule)}</td><td>${escape(v.subject)}</td><td>${escape(v.message)}</td></tr>`,
    );
  return `<!doctype html><html><head><meta charset="utf-8"><title>Migration plan</title>
<style>body{font-family:system-ui,sans-serif;margin:24px}td,th{border-bottom:1px solid #ddd;padding:2px 8px;text-align:left;font-size:12px}</style></head><body>
<h1>Migration plan</h1>
<p>${s.waves} waves, ${s.batches} batches, ${s.vms} VMs, ${s.databases} databases, ${s.usedTB} TB. Makespan <b>${s.makespanDays} days</b>, lower bound ${s.lowerBoundDays} days (${escape(s.lowerBoundBinding)}). Plan sha256 <code>${sha256}</code>.</p>
<p>Churn: ${s.assumedChurnServers ?? 0} of ${s.vms} servers have no disk write data; their churn is assumed at ${plan.options.replication.defaultDailyChurnShare * 100} % of used storage per day, not measured.</p>
<h2>Waves</h2><p>Green: non-production replication, blue: production replication, red: cutover windows.</p>${gantt(plan)}
<h2>Capacity</h2>
${columns(
  'VMs replicating when each wave starts',
  per.map((p) => ({ label: p.wave, value: p.inFlightVms })),
)}
${columns(
  'RPO bandwidth (Mbps) vs uplink (dashed)',
  per.map((p) => ({ label: p.wave, value: p.rpoBandwidthMbps })),
  plan.options.network.uplinkMbps,
)}
${columns(
  'Initial replication (hours) vs goal (dashed)',
  per.map((p) => ({ label: p.wave, value: p.initialReplicationHours })),
  plan.options.replication.initialReplicationGoalHours,
)}
${columns(
  'Appliance peak VMs vs cap (dashed)',
  plan.capacity.appliances.map((a) => ({ label: a.name, value: a.peakVms })),
  plan.options.appliances.maxVms,
)}
<h2>Capacity violations (${plan.capacity.violations.length})</h2><table><tr><th>rule</th><th>subject</th><th>message</th></tr>${rows.join('')}</table>${plan.capacity.violations.length > shownViolations ? `<p>… and ${plan.capacity.violations.length - shownViolations} more in plan.json (capacity.violations).</p>` : ''}
${notPlanned(plan)}
</body></html>
`;
}
