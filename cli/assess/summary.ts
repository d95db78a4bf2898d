/**
 * The terminal summary of an assessment, and the compact object `--json` prints. The object carries
 * whole lists (never the first n); the text caps long lists and says how many more there are.
 */
import type { Assessment } from '../../domain/assess/assess-estate.ts';
import { readinessStates } from '../../domain/assess/readiness.ts';

/** Business groups the text summary prints before "… and N more". */
export const PRINTED_BUSINESS_GROUPS = 10;

const usd = (n: number) => `$${Math.round(n).toLocaleString('en-US')}`;

export function summaryObject(assessment: Assessment) {
  const reasons = new Map<string, number>();
  for (const vm of assessment.vms) {
    for (const f of vm.readiness.findings) {
      if (f.status === 'Not ready') reasons.set(f.check, (reasons.get(f.check) ?? 0) + 1);
    }
  }
  const targets = new Map<string, number>();
  for (const db of assessment.databases) {
    const key =
      db.recommendedTarget === undefined
        ? 'no compatible target'
        : `${db.recommendedTarget} (${db.mode ?? ''})`;
    targets.set(key, (targets.get(key) ?? 0) + 1);
  }
  const confidence = new Map<number, number>();
  for (const vm of assessment.vms) {
    const stars = vm.sizing?.confidence;
    if (stars !== undefined) confidence.set(stars, (confidence.get(stars) ?? 0) + 1);
  }
  return {
    asOf: assessment.asOf,
    sizing: assessment.options.sizing,
    pricing: assessment.pricing,
    totals: assessment.totals,
    notReadyByCheck: Object.fromEntries([...reasons.entries()].sort((a, b) => b[1] - a[1])),
    confidenceStars: Object.fromEntries([...confidence.entries()].sort((a, b) => a[0] - b[0])),
    businessGroups: assessment.businessGroups,
    quickWins: assessment.applications.filter((a) => a.quickWin).length,
    pocCandidates: assessment.pocCandidates,
    databaseTargets: Object.fromEntries([...targets.entries()].sort((a, b) => b[1] - a[1])),
    /** Every exclusion / decommission candidate (counts are in totals.exclusionCandidates). */
    exclusionCandidates: assessment.vms.flatMap((vm) =>
      vm.exclusion === undefined
        ? []
        : [
            {
              serverId: vm.serverId,
              name: vm.name,
              suggestion: vm.exclusion.suggestion,
              reasons: vm.exclusion.reasons,
            },
          ],
    ),
    dependencyNoise: assessment.dependencyNoise,
    infrastructureServers: assessment.infrastructure.length,
    infrastructureRoles: Object.fromEntries(
      [
        ...assessment.infrastructure.reduce(
          (m, s) => m.set(s.role, (m.get(s.role) ?? 0) + 1),
          new Map<string, number>(),
        ),
      ].sort(),
    ),
  };
}

export function summaryLines(assessment: Assessment): string[] {
  const s = summaryObject(assessment);
  const t = s.totals;
  const lines = [
    `Assessment as of ${s.asOf} (${s.sizing.mode}, P${s.sizing.percentile} × ${s.sizing.comfortFactor}, ${s.sizing.region})`,
    `Servers: ${t.servers}  ` + readinessStates.map((r) => `${r}: ${t.readiness[r]}`).join('  '),
    `Monthly cost: ${usd(t.monthlyCompute + t.monthlyStorage)} (compute ${usd(t.monthlyCompute)}, storage ${usd(t.monthlyStorage)})${s.pricing.currency === 'USD' ? '' : ` in ${s.pricing.currency}`}`,
    `Prices: ${s.pricing.region}, ${s.pricing.pricingLabel}${s.pricing.hybridBenefit ? ' with Azure Hybrid Benefit' : ''}, from ${s.pricing.source} (${s.pricing.retrieved})${
      s.pricing.paygFallbacks > 0
        ? `; ${s.pricing.paygFallbacks} VMs at pay-as-you-go (no ${s.pricing.pricingLabel} price for their size)`
        : ''
    }${s.pricing.storageUnpriced > 0 ? `; storage of ${s.pricing.storageUnpriced} VMs not costed (no disk prices)` : ''}`,
    `Applications: ${t.applications} (${t.inferredApplications} inferred from dependencies), quick wins: ${s.quickWins}`,
    `Not ready because of: ${
      Object.entries(s.notReadyByCheck)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ') || 'nothing'
    }`,
    `Sizing confidence (stars: VMs): ${
      Object.entries(s.confidenceStars)
        .map(([k, n]) => `${k}★ ${n}`)
        .join(', ') || 'n/a'
    }`,
    `Data gaps: ${t.dataGaps.machines} of ${t.dataGaps.byBasis.performance + t.dataGaps.byBasis['as-on-premises'] + t.dataGaps.byBasis.mixed} sized VMs lack performance data (${
      Object.entries(t.dataGaps.byCounter)
        .filter(([, n]) => n > 0)
        .map(([counter, n]) => `${counter} ${n}`)
        .join(', ') || 'none'
    }); sized on allocated resources: ${t.dataGaps.byBasis['as-on-premises']}, partly: ${t.dataGaps.byBasis.mixed}`,
    exclusionLine(t.exclusionCandidates),
    'Cost by business group:',
    ...s.businessGroups
      .slice(0, PRINTED_BUSINESS_GROUPS)
      .map(
        (g) =>
          `  ${g.name.padEnd(20)} ${usd(g.monthlyCompute + g.monthlyStorage).padStart(12)}  (${g.applications} apps)`,
      ),
    ...(s.businessGroups.length > PRINTED_BUSINESS_GROUPS
      ? [
          `  … and ${s.businessGroups.length - PRINTED_BUSINESS_GROUPS} more business groups (report.html and --json list all)`,
        ]
      : []),
    `Databases: ${t.databases}`,
    ...Object.entries(s.databaseTargets).map(([target, n]) => `  ${target}: ${n}`),
    `POC candidates: ${s.pocCandidates.join(', ') || 'none'}`,
  ];
  return lines;
}

function exclusionLine(c: Assessment['totals']['exclusionCandidates']): string {
  if (c.servers === 0) return 'Exclusion candidates: none';
  const counts = (record: Record<string, number>) =>
    Object.entries(record)
      .filter(([, n]) => n > 0)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ');
  return `Exclusion candidates: ${c.servers} (${counts(c.bySuggestion)}; ${counts(c.byReason)}; ${usd(c.monthlyCost)}/month of the total) — listed in report.html and vms.csv`;
}
