/**
 * The self-contained HTML report: inline CSS and SVG (readiness chart, cost breakdown, application
 * dependency graph), no scripts or external assets, so it can be mailed or archived as one file.
 */
import type { Assessment } from '../../domain/assess/assess-estate.ts';
import { readinessStates, type Readiness } from '../../domain/assess/readiness.ts';
import { evidenceLines } from '../../domain/assess/evidence-text.ts';
import { summaryObject } from './summary.ts';

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
  const bars = top.map((g, i) => {
    const y = 10 + i * 28;
    const compute = Math.round((g.monthlyCompute / max) * 380);
    const storage = Math.round((g.monthlyStorage / max) * 380);
    return `<text x="0" y="${y + 15}" font-size="12">${escape(g.name)}</text><rect x="160" y="${y}" width="${compute}" height="20" fill="#1565c0"/><rect x="${160 + compute}" y="${y}" width="${storage}" height="20" fill="#90caf9"/><text x="${166 + compute + storage}" y="${y + 15}" font-size="12">${usd(g.monthlyCompute + g.monthlyStorage)}</text>`;
  });
  const legend = `<rect x="160" y="${20 + top.length * 28}" width="12" height="12" fill="#1565c0"/><text x="176" y="${31 + top.length * 28}" font-size="12">compute</text><rect x="250" y="${20 + top.length * 28}" width="12" height="12" fill="#90caf9"/><text x="266" y="${31 + top.length * 28}" font-size="12">storage</text>`;
  return `<svg role="img" aria-label="Monthly cost by business group" width="680" height="${50 + top.length * 28}" xmlns="http://www.w3.org/2000/svg">${bars.join('')}${legend}</svg>`;
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

export function renderReport(assessment: Assessment): string {
  const s = summaryObject(assessment);
  const t = s.totals;
  const notReady = assessment.vms
    .filter((vm) => vm.readiness.status === 'Not ready')
    .slice(0, 50)
    .map((vm) => [
      vm.name,
      vm.readiness.findings
        .filter((f) => f.status === 'Not ready')
        .map((f) => f.reason)
        .join('; '),
      vm.readiness.findings[0]?.remediation ?? '',
    ]);
  const apps = [...assessment.applications]
    .sort((a, b) => b.monthlyCompute + b.monthlyStorage - (a.monthlyCompute + a.monthlyStorage))
    .slice(0, 25)
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
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Migration Factory assessment ${escape(s.asOf)}</title>
<style>
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem;color:#212121;max-width:1100px}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0}td,th{border:1px solid #ddd;padding:.25rem .5rem;text-align:left;white-space:pre-line}
th{background:#f5f5f5}.kpi{display:inline-block;margin-right:2rem}.kpi b{display:block;font-size:1.4rem}
</style></head><body>
<h1>Assessment of ${t.servers} servers</h1>
<p>As of ${escape(s.asOf)}; sizing ${escape(s.sizing.mode)} at P${s.sizing.percentile} × ${s.sizing.comfortFactor}, region ${escape(s.sizing.region)}. Prices are indicative list prices from the shipped catalog.</p>
<div><span class="kpi"><b>${usd(t.monthlyCompute + t.monthlyStorage)}</b>per month</span><span class="kpi"><b>${t.applications}</b>applications (${t.inferredApplications} inferred)</span><span class="kpi"><b>${s.quickWins}</b>quick wins</span><span class="kpi"><b>${t.databases}</b>databases</span></div>
<h2>Readiness</h2>${readinessChart(t.readiness)}
<h2>Monthly cost by business group</h2>${costChart(assessment.businessGroups)}
<h2>Application dependencies</h2><p>Up to 40 of the most connected applications; line width shows strength, green marks quick wins. Ephemeral ports, infrastructure ports and ${assessment.infrastructure.length} detected shared-service servers are filtered out.</p>${dependencyGraph(assessment)}
<h2>Shared infrastructure (first 50)</h2><p>Found by service processes, ports and traffic patterns (or configured); not grouped into applications.</p>${table(['Server', 'Role', 'Evidence'], infrastructure)}
<h2>Why inferred applications were grouped (largest 25)</h2>${table(['Application', 'Servers', 'Evidence'], grouping)}
<h2>POC candidates</h2>${table(
    ['Application'],
    s.pocCandidates.map((p) => [p]),
  )}
<h2>Largest applications by cost</h2>${table(['Application', 'Business group', 'Servers', 'Dependencies', 'Quick win', 'Monthly'], apps)}
<h2>Not ready (first 50)</h2>${table(['Server', 'Reasons', 'Remediation'], notReady)}
<h2>Databases</h2>${table(['Recommended target (mode)', 'Databases'], Object.entries(s.databaseTargets))}
</body></html>
`;
}
