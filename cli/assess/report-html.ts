/**
 * The self-contained HTML report: inline CSS and SVG (readiness chart, cost breakdown, application
 * dependency graph) and the per-VM table, no scripts or external assets, so it can be mailed or archived
 * as one file. The per-VM table is plain HTML (10,000 rows stay light); its filters are radio buttons
 * and CSS `:has()` rules, so filtering needs no script either.
 */
import type { Assessment } from '../../domain/assess/assess-estate.ts';
import { readinessStates, type Readiness } from '../../domain/assess/readiness.ts';
import { evidenceLines } from '../../domain/assess/evidence-text.ts';
import { summaryObject } from './summary.ts';
import { vmTableColumns, vmTableRows, type VmTableRow } from './vm-table.ts';

const escape = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
const usd = (n: number) => `$${Math.round(n).toLocaleString('en-US')}`;

const colours: Record<Readiness, string> = {
  Ready: '#2e7d32',
  'Conditionally ready': '#f9a825',
  'Not ready': '#c62828',
  Unknown: '#757575',
};

function readinessChart(counts: Record<Readiness, number>): string {
  const max = Math.max(1, ...Object.values(counts));
  const bars = readinessStates.map((state, i) => {
    const width = Math.round((counts[state] / max) * 360);
    const y = 10 + i * 34;
    return `<text x="0" y="${y + 17}" font-size="13">${escape(state)}</text><rect x="150" y="${y}" width="${width}" height="24" fill="${colours[state]}"/><text x="${156 + width}" y="${y + 17}" font-size="13">${counts[state]}</text>`;
  });
  return `<svg role="img" aria-label="Readiness" width="600" height="150" xmlns="http://www.w3.org/2000/svg">${bars.join('')}</svg>`;
}

function costChart(groups: Assessment['businessGroups']): string {
  const top = groups.slice(0, 12);
  const max = Math.max(1, ...top.map((g) => g.monthlyCompute + g.monthlyStorage));
  const more = groups.length - top.length;
  const bars = top.map((g, i) => {
    const y = 10 + i * 28;
    const compute = Math.round((g.monthlyCompute / max) * 380);
    const storage = Math.round((g.monthlyStorage / max) * 380);
    return `<text x="0" y="${y + 15}" font-size="12">${escape(g.name)}</text><rect x="160" y="${y}" width="${compute}" height="20" fill="#1565c0"/><rect x="${160 + compute}" y="${y}" width="${storage}" height="20" fill="#90caf9"/><text x="${166 + compute + storage}" y="${y + 15}" font-size="12">${usd(g.monthlyCompute + g.monthlyStorage)}</text>`;
  });
  const legend = `<rect x="160" y="${20 + top.length * 28}" width="12" height="12" fill="#1565c0"/><text x="176" y="${31 + top.length * 28}" font-size="12">compute</text><rect x="250" y="${20 + top.length * 28}" width="12" height="12" fill="#90caf9"/><text x="266" y="${31 + top.length * 28}" font-size="12">storage</text>`;
  return `<svg role="img" aria-label="Monthly cost by business group" width="680" height="${50 + top.length * 28}" xmlns="http://www.w3.org/2000/svg">${bars.join('')}${legend}</svg>${more > 0 ? `<p>… and ${more} more business groups (all are in assessment.json and <code>factory assess --json</code>).</p>` : ''}`;
}

/** The most connected applications on a circle; line width by strength. Deterministic layout. */
function dependencyGraph(assessment: Assessment, limit = 40): string {
  const degree = new Map<string, number>();
  for (const e of assessment.applicationEdges) {
    degree.set(e.from, (degree.get(e.from) ?? 0) + e.observations);
    degree.set(e.to, (degree.get(e.to) ?? 0) + e.observations);
  }
  const nodes = [...degree.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, limit)
    .map(([name]) => name);
  if (nodes.length === 0) return '<p>No application dependencies were observed.</p>';
  const size = 720;
  const centre = size / 2;
  const radius = centre - 140;
  const position = new Map(
    nodes.map((name, i) => {
      const angle = (2 * Math.PI * i) / nodes.length - Math.PI / 2;
      return [name, { x: centre + radius * Math.cos(angle), y: centre + radius * Math.sin(angle), angle }];
    }),
  );
  const width = { strong: 3, medium: 1.6, weak: 0.7 } as const;
  const lines = assessment.applicationEdges
    .filter((e) => position.has(e.from) && position.has(e.to))
    .map((e) => {
      const a = position.get(e.from);
      const b = position.get(e.to);
      if (a === undefined || b === undefined) return '';
      return `<line x1="${a.x.toFixed(1)}" y1="${a.y.toFixed(1)}" x2="${b.x.toFixed(1)}" y2="${b.y.toFixed(1)}" stroke="#5c6bc0" stroke-opacity="0.6" stroke-width="${width[e.strength]}"><title>${escape(`${e.from} → ${e.to}: ${e.serverPairs} server pairs, ports ${e.ports.join(', ')}`)}</title></line>`;
    });
  const quickWins = new Set(assessment.applications.filter((a) => a.quickWin).map((a) => a.name));
  const labels = nodes.map((name) => {
    const p = position.get(name);
    if (p === undefined) return '';
    const right = Math.cos(p.angle) >= 0;
    const lx = p.x + (right ? 8 : -8);
    return `<circle cx="${p.x.toFixed(1)}" cy="${p.y.toFixed(1)}" r="5" fill="${quickWins.has(name) ? '#2e7d32' : '#283593'}"/><text x="${lx.toFixed(1)}" y="${(p.y + 4).toFixed(1)}" font-size="10" text-anchor="${right ? 'start' : 'end'}">${escape(name.length > 28 ? `${name.slice(0, 27)}…` : name)}</text>`;
  });
  return `<svg role="img" aria-label="Application dependencies" width="${size}" height="${size}" xmlns="http://www.w3.org/2000/svg">${lines.join('')}${labels.join('')}</svg>`;
}

const table = (head: string[], rows: (string | number)[][]) =>
  `<table><thead><tr>${head.map((h) => `<th>${escape(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${escape(String(c))}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;

/** Row classes the CSS filters select on: readiness, exclusion candidate, data gaps. */
const readinessClass: Record<Readiness, string> = {
  Ready: 'r-ready',
  'Conditionally ready': 'r-conditional',
  'Not ready': 'r-not-ready',
  Unknown: 'r-unknown',
};

const vmFilters = [
  { id: 'vmf-all', label: 'all', rowClass: undefined },
  { id: 'vmf-not-ready', label: 'Not ready', rowClass: 'r-not-ready' },
  { id: 'vmf-conditional', label: 'Conditionally ready', rowClass: 'r-conditional' },
  { id: 'vmf-unknown', label: 'Unknown', rowClass: 'r-unknown' },
  { id: 'vmf-exclusion', label: 'exclusion candidates', rowClass: 'x' },
  { id: 'vmf-gaps', label: 'data gaps', rowClass: 'g' },
] as const;

function vmCell(row: VmTableRow, key: keyof VmTableRow, kind: 'text' | 'number' | 'usd'): string {
  const value = row[key];
  if (value === undefined || value === '') return '<td></td>';
  if (kind === 'usd' && typeof value === 'number') return `<td class="n">${usd(value)}</td>`;
  if (kind === 'number') return `<td class="n">${escape(String(value))}</td>`;
  return `<td>${escape(String(value))}</td>`;
}

/** Every VM, one plain row each; radio buttons + :has() hide the rows a filter does not select. */
function vmTable(rows: readonly VmTableRow[]): string {
  const columns = vmTableColumns.filter((c) => c.html);
  const count = (rowClass: string | undefined) =>
    rowClass === undefined ? rows.length : rows.filter((r) => rowClasses(r).includes(rowClass)).length;
  const filters = vmFilters
    .map(
      (f) =>
        `<label><input type="radio" name="vmf" id="${f.id}"${f.rowClass === undefined ? ' checked' : ''}> ${escape(f.label)} (${count(f.rowClass)})</label>`,
    )
    .join(' ');
  const body = rows
    .map(
      (r) =>
        `<tr class="${rowClasses(r).join(' ')}">${columns.map((c) => vmCell(r, c.key, c.kind)).join('')}</tr>`,
    )
    .join('\n');
  return `<div class="vmf">Show: ${filters}</div>
<table class="vms"><thead><tr>${columns.map((c) => `<th>${escape(c.header)}</th>`).join('')}</tr></thead><tbody>
${body}
</tbody></table>`;
}

function rowClasses(row: VmTableRow): string[] {
  return [
    readinessClass[row.readiness],
    ...(row.exclusion === undefined ? [] : ['x']),
    ...(row.dataGaps === '' ? [] : ['g']),
  ];
}

const filterCss = vmFilters
  .filter((f) => f.rowClass !== undefined)
  .map((f) => `body:has(#${f.id}:checked) table.vms tbody tr:not(.${f.rowClass ?? ''}){display:none}`)
  .join('\n');

export function renderReport(
  assessment: Assessment,
  rows: readonly VmTableRow[] = vmTableRows(assessment),
): string {
  const s = summaryObject(assessment);
  const t = s.totals;
  // One line per Not-ready check with its remediation: the per-VM table carries each VM's reasons.
  const remediation = new Map<string, { count: number; remediation: string }>();
  for (const vm of assessment.vms)
    for (const f of vm.readiness.findings)
      if (f.status === 'Not ready') {
        const entry = remediation.get(f.check) ?? { count: 0, remediation: f.remediation };
        entry.count += 1;
        remediation.set(f.check, entry);
      }
  const notReady = [...remediation.entries()]
    .sort((a, b) => b[1].count - a[1].count)
    .map(([check, e]) => [check, e.count, e.remediation]);
  const connected = new Set(assessment.applicationEdges.flatMap((e) => [e.from, e.to])).size;
  const topApps = 25;
  const apps = [...assessment.applications]
    .sort((a, b) => b.monthlyCompute + b.monthlyStorage - (a.monthlyCompute + a.monthlyStorage))
    .slice(0, topApps)
    .map((a) => [
      a.name,
      a.classification.businessGroup,
      a.servers.length,
      a.dependsOn.length + a.usedBy.length,
      a.quickWin ? 'yes' : '',
      usd(a.monthlyCompute + a.monthlyStorage),
    ]);
  const infrastructure = assessment.infrastructure
    .slice(0, 50)
    .map((i) => [i.name, i.role, i.evidence.join('; ')]);
  // The inferred applications with the most servers: why their servers were grouped and named so.
  const grouping = assessment.applications
    .filter((a) => a.source === 'inferred' && a.servers.length > 1)
    .sort((a, b) => b.servers.length - a.servers.length || a.name.localeCompare(b.name))
    .slice(0, 25)
    .map((a) => [a.name, a.servers.length, evidenceLines(a.evidence).slice(0, 4).join('\n')]);
  const x = t.exclusionCandidates;
  const candidates = rows
    .filter((r) => r.exclusion !== undefined)
    .map((r) => [r.server, r.platform, r.exclusion ?? '', r.exclusionReasons, r.exclusionNotes]);
  const counts = (record: Record<string, number>) =>
    Object.entries(record)
      .filter(([, n]) => n > 0)
      .map(([k, n]) => `${escape(k)} ${n}`)
      .join(', ');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Migration Factory assessment ${escape(s.asOf)}</title>
<style>
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem;color:#212121;max-width:1100px}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0}td,th{border:1px solid #ddd;padding:.25rem .5rem;text-align:left;white-space:pre-line}
th{background:#f5f5f5}.kpi{display:inline-block;margin-right:2rem}.kpi b{display:block;font-size:1.4rem}
table.vms{font-size:.75rem}table.vms td.n{text-align:right}.vms-wrap{overflow-x:auto;max-width:100%}
table.vms tr.r-not-ready td:nth-child(3){color:#c62828}.vmf label{margin-right:1rem;white-space:nowrap}
${filterCss}
</style></head><body>
<h1>Assessment of ${t.servers} servers</h1>
<p>As of ${escape(s.asOf)}; sizing ${escape(s.sizing.mode)} at P${s.sizing.percentile} × ${s.sizing.comfortFactor}, region ${escape(s.sizing.region)}. Prices are indicative list prices from the shipped catalog.</p>
<div><span class="kpi"><b>${usd(t.monthlyCompute + t.monthlyStorage)}</b>per month</span><span class="kpi"><b>${t.applications}</b>applications (${t.inferredApplications} inferred)</span><span class="kpi"><b>${s.quickWins}</b>quick wins</span><span class="kpi"><b>${t.databases}</b>databases</span><span class="kpi"><b>${x.servers}</b>exclusion candidates</span></div>
<h2>Readiness</h2>${readinessChart(t.readiness)}
<h2>Monthly cost by business group</h2>${costChart(assessment.businessGroups)}
<h2>Application dependencies</h2><p>The ${Math.min(40, connected)} most connected of ${connected} applications with dependencies${connected > 40 ? ` (… and ${connected - 40} more in assessment.json applicationEdges)` : ''}; line width shows strength, green marks quick wins. Ephemeral ports, infrastructure ports and ${assessment.infrastructure.length} detected shared-service servers are filtered out.</p>${dependencyGraph(assessment)}
<h2>Shared infrastructure (first 50)</h2><p>Found by service processes, ports and traffic patterns (or configured); not grouped into applications.</p>${table(['Server', 'Role', 'Evidence'], infrastructure)}
<h2>Why inferred applications were grouped (largest 25)</h2>${table(['Application', 'Servers', 'Evidence'], grouping)}
<h2>POC candidates</h2>${table(
    ['Application'],
    s.pocCandidates.map((p) => [p]),
  )}
<h2>Largest applications by cost</h2><p>The ${apps.length} most expensive of ${assessment.applications.length} applications${assessment.applications.length > topApps ? ` (… and ${assessment.applications.length - topApps} more in assessment.json)` : ''}.</p>${table(['Application', 'Business group', 'Servers', 'Dependencies', 'Quick win', 'Monthly'], apps)}
<h2>Not ready by check</h2>${notReady.length === 0 ? '<p>No server is Not ready.</p>' : table(['Check', 'Servers', 'Remediation'], notReady)}
<h2>Exclusion and decommission candidates (${x.servers})</h2>
<p>Not VMware VMs, templates, migration appliances and powered-off VMs: not planned into waves unless the plan opts them in. ${x.servers === 0 ? '' : `By suggestion: ${counts(x.bySuggestion)}. By reason: ${counts(x.byReason)}. Their share of the monthly cost: ${usd(x.monthlyCost)}.`}</p>
${candidates.length === 0 ? '' : table(['Server', 'Platform', 'Suggestion', 'Reasons', 'Notes'], candidates)}
<h2>Servers (${rows.length})</h2>
<p>Every server: our readiness with its reasons, our size and cost next to Azure Migrate's (when an Azure Migrate assessment was imported), sizing confidence, data gaps (counters with no data: sized as on premises) and exclusion reasons. The same table is in vms.csv and vms.xlsx.</p>
<div class="vms-wrap">${vmTable(rows)}</div>
<h2>Databases</h2>${table(['Recommended target (mode)', 'Databases'], Object.entries(s.databaseTargets))}
</body></html>
`;
}
