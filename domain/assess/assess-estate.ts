/**
 * `factory assess` as a pure function: readiness, sizing and cost per VM; applications (catalogued or
 * inferred) with dependencies, classification, quick wins and POC candidates; databases; totals.
 */
import type { AzureMigrateView, Classification, Estate, Platform } from '../inventory/estate-schema.ts';
import {
  applicationEdges,
  groupApplications,
  type ApplicationEdge,
  type GroupingEvidence,
} from './application-groups.ts';
import { deriveClassification } from './classification.ts';
import {
  assessDatabase,
  defaultDatabaseOptions,
  type DatabaseAssessment,
  type DatabaseOptions,
} from './databases.ts';
import {
  buildDependencyGraph,
  defaultDependencyOptions,
  type DependencyGraph,
  type DependencyOptions,
} from './dependency-graph.ts';
import type { InfrastructureServer } from './infrastructure.ts';
import {
  defaultExclusionOptions,
  exclusionCandidate,
  exclusionReasons,
  exclusionSuggestions,
  type ExclusionCandidate,
  type ExclusionOptions,
  type ExclusionReason,
  type ExclusionSuggestion,
} from './exclusions.ts';
import { recogniseOs } from './operating-system.ts';
import { assessReadiness, readinessStates, type Readiness, type VmReadiness } from './readiness.ts';
import {
  pricedRegions,
  pricingLabels,
  shippedPrices,
  type PriceBook,
  type PricingOption,
} from './price-book.ts';
import { defaultSizing, sizeVm, type SizingOptions, type VmSizing } from './sizing.ts';
import { performanceCounters, type PerformanceCounter } from '../inventory/estate-schema.ts';

export interface AssessOptions {
  /** ISO date for end-of-support checks; the CLI passes today. */
  asOf: string;
  sizing: SizingOptions;
  dependencies: DependencyOptions;
  databases: DatabaseOptions;
  /** How many POC candidates to suggest. */
  pocSuggestions: number;
  exclusions: ExclusionOptions;
}

export const defaultAssessOptions = (asOf: string): AssessOptions => ({
  asOf,
  sizing: defaultSizing,
  dependencies: defaultDependencyOptions,
  databases: defaultDatabaseOptions,
  pocSuggestions: 10,
  exclusions: defaultExclusionOptions,
});

export interface VmAssessment {
  serverId: string;
  name: string;
  readiness: VmReadiness;
  /** Absent for Not ready VMs: like Azure Migrate, they are neither sized nor costed. */
  sizing?: VmSizing;
  /** The server's platform when it is not a VMware VM (absent = VMware). */
  platform?: Platform;
  /** What an imported Azure Migrate assessment said about the machine, next to our result. */
  azureMigrate?: AzureMigrateView;
  /** Set when the machine should not be migrated as it is: excluded, decommissioned or reviewed first. */
  exclusion?: ExclusionCandidate;
}

export interface ApplicationAssessment {
  name: string;
  source: 'catalog' | 'inferred';
  servers: string[];
  likelyPartOf?: string;
  /** Why these servers form this application: the basis and the strongest connections between them. */
  evidence: GroupingEvidence;
  classification: Classification;
  classificationDerived: boolean;
  readiness: Record<Readiness, number>;
  dependsOn: string[];
  usedBy: string[];
  quickWin: boolean;
  monthlyCompute: number;
  monthlyStorage: number;
}

/** Where the prices of this assessment come from, for the report to print beside every total. */
export interface PricingInfo {
  region: string;
  currency: string;
  /** The option asked for; VMs whose size lacked it show their own `sizing.pricing`. */
  pricing: PricingOption;
  pricingLabel: string;
  hybridBenefit: boolean;
  /** Source URL of the shipped catalog, or the imported price list's file. */
  source: string;
  /** Retrieved (catalog) or imported (price list), YYYY-MM-DD. */
  retrieved: string;
  effectiveFrom?: string;
  /** Sized VMs priced pay-as-you-go because the list lacked the asked option for their size. */
  paygFallbacks: number;
  /** Sized VMs whose storage is not costed because the region has no managed-disk prices. */
  storageUnpriced: number;
}

/** Machines sized without some of the data performance sizing needs. */
export interface DataGaps {
  /** Sized machines missing at least one counter. */
  machines: number;
  byCounter: Record<PerformanceCounter, number>;
  /** Sized machines per basis: performance, as-on-premises (no data), mixed. */
  byBasis: Record<VmSizing['basis'], number>;
}

export interface Assessment {
  asOf: string;
  options: AssessOptions;
  pricing: PricingInfo;
  totals: {
    servers: number;
    readiness: Record<Readiness, number>;
    monthlyCompute: number;
    monthlyStorage: number;
    applications: number;
    inferredApplications: number;
    databases: number;
    dataGaps: DataGaps;
    exclusionCandidates: {
      servers: number;
      byReason: Record<ExclusionReason, number>;
      bySuggestion: Record<ExclusionSuggestion, number>;
      /** Their share of monthlyCompute + monthlyStorage (they stay in the totals, as in Azure Migrate). */
      monthlyCost: number;
    };
  };
  vms: VmAssessment[];
  applications: ApplicationAssessment[];
  applicationEdges: ApplicationEdge[];
  businessGroups: { name: string; applications: number; monthlyCompute: number; monthlyStorage: number }[];
  pocCandidates: string[];
  /** Shared services found in the dependency data (or configured), each with its role and evidence. */
  infrastructure: InfrastructureServer[];
  dependencyNoise: DependencyGraph['filtered'];
  databases: DatabaseAssessment[];
}

const round2 = (n: number) => Math.round(n * 100) / 100;
const emptyCounts = (): Record<Readiness, number> =>
  Object.fromEntries(readinessStates.map((s) => [s, 0])) as Record<Readiness, number>;

export function assessEstate(
  estate: Estate,
  options: AssessOptions,
  prices: PriceBook = shippedPrices,
): Assessment {
  const region = prices[options.sizing.region];
  if (region === undefined || Object.keys(region.vm).length === 0)
    throw new Error(
      `region ${options.sizing.region} has no prices; regions with prices: ${pricedRegions(prices).join(', ')}`,
    );
  // Templates never run, so they belong to no application.
  const machines = estate.servers.filter((server) => server.template !== true);
  const graph = buildDependencyGraph(machines, estate.connections, options.dependencies);
  const appliances = new Set(
    graph.infrastructure.filter((i) => i.role === 'migration-appliance').map((i) => i.serverId),
  );
  const vms: VmAssessment[] = estate.servers.map((server) => {
    const readiness = assessReadiness(server, options.asOf);
    const exclusion = exclusionCandidate(server, options.asOf, options.exclusions, appliances);
    return {
      serverId: server.id,
      name: server.name,
      readiness,
      // A VM template is not migrated: no size, no cost (it is listed as an exclude candidate).
      ...(readiness.status === 'Not ready' || server.template === true
        ? {}
        : { sizing: sizeVm(server, recogniseOs(server.os), options.sizing, prices) }),
      ...(server.platform === undefined || server.platform === 'vmware' ? {} : { platform: server.platform }),
      ...(server.azureMigrate === undefined ? {} : { azureMigrate: server.azureMigrate }),
      ...(exclusion === undefined ? {} : { exclusion }),
    };
  });
  const byId = new Map(vms.map((vm) => [vm.serverId, vm]));

  const groups = groupApplications(machines, estate.applications, graph);
  const edges = applicationEdges(groups, graph);
  const dependsOn = new Map<string, Set<string>>();
  const usedBy = new Map<string, Set<string>>();
  const portCount = new Map<string, number>();
  for (const e of edges) {
    dependsOn.set(e.from, (dependsOn.get(e.from) ?? new Set()).add(e.to));
    usedBy.set(e.to, (usedBy.get(e.to) ?? new Set()).add(e.from));
    for (const app of [e.from, e.to]) portCount.set(app, (portCount.get(app) ?? 0) + e.ports.length);
  }
  // A server used by several applications has its cost split evenly so totals are not counted twice.
  const shares = new Map<string, number>();
  for (const g of groups) for (const id of g.servers) shares.set(id, (shares.get(id) ?? 0) + 1);
  const catalog = new Map(estate.applications.map((a) => [a.name, a]));

  const applications = groups.map((group): ApplicationAssessment => {
    const readiness = emptyCounts();
    let compute = 0;
    let storage = 0;
    let endOfSupport = 0;
    for (const id of group.servers) {
      const vm = byId.get(id);
      if (vm === undefined) continue;
      readiness[vm.readiness.status] += 1;
      if (vm.readiness.notes.some((n) => n.check === 'end-of-support')) endOfSupport += 1;
      const share = shares.get(id) ?? 1;
      compute += (vm.sizing?.monthlyCompute ?? 0) / share;
      storage += (vm.sizing?.monthlyStorage ?? 0) / share;
    }
    const out = [...(dependsOn.get(group.name) ?? [])].sort();
    const inbound = [...(usedBy.get(group.name) ?? [])].sort();
    const dependencyCount = new Set([...out, ...inbound]).size;
    const blocked = readiness['Not ready'] + readiness.Unknown > 0;
    const quickWin =
      group.servers.length > 0 && dependencyCount <= options.dependencies.quickWinMaxDependencies && !blocked;
    const catalogued = catalog.get(group.name);
    return {
      name: group.name,
      source: group.source,
      servers: group.servers,
      ...(group.likelyPartOf === undefined ? {} : { likelyPartOf: group.likelyPartOf }),
      evidence: group.evidence,
      classification:
        catalogued?.classification ??
        deriveClassification({
          servers: group.servers.length,
          dependencies: dependencyCount,
          readiness: group.servers.map((id) => byId.get(id)?.readiness.status ?? 'Unknown'),
          endOfSupportServers: endOfSupport,
          firewallPorts: portCount.get(group.name) ?? 0,
          pocCandidate: quickWin,
        }),
      classificationDerived: catalogued === undefined,
      readiness,
      dependsOn: out,
      usedBy: inbound,
      quickWin,
      monthlyCompute: round2(compute),
      monthlyStorage: round2(storage),
    };
  });

  const sized = vms.flatMap((vm) => (vm.sizing === undefined ? [] : [vm.sizing]));
  return {
    asOf: options.asOf,
    options,
    pricing: {
      region: options.sizing.region,
      currency: region.currency,
      pricing: options.sizing.pricing,
      pricingLabel: pricingLabels[options.sizing.pricing],
      hybridBenefit: options.sizing.hybridBenefit,
      source: region.source,
      retrieved: region.retrieved,
      ...(region.effectiveFrom === undefined ? {} : { effectiveFrom: region.effectiveFrom }),
      paygFallbacks: sized.filter((s) => s.vmSize !== undefined && s.pricing !== options.sizing.pricing)
        .length,
      storageUnpriced: sized.filter((s) => !s.storagePriced).length,
    },
    totals: {
      servers: vms.length,
      readiness: vms.reduce((counts, vm) => ((counts[vm.readiness.status] += 1), counts), emptyCounts()),
      monthlyCompute: round2(vms.reduce((s, vm) => s + (vm.sizing?.monthlyCompute ?? 0), 0)),
      monthlyStorage: round2(vms.reduce((s, vm) => s + (vm.sizing?.monthlyStorage ?? 0), 0)),
      applications: applications.length,
      inferredApplications: applications.filter((a) => a.source === 'inferred').length,
      databases: estate.databases.length,
      dataGaps: dataGaps(sized),
      exclusionCandidates: exclusionTotals(vms),
    },
    vms,
    applications,
    applicationEdges: edges,
    businessGroups: businessGroupTotals(applications),
    pocCandidates: suggestPocs(applications, options.pocSuggestions),
    infrastructure: graph.infrastructure,
    dependencyNoise: graph.filtered,
    databases: estate.databases.map((db) => assessDatabase(db, options.databases)),
  };
}

function dataGaps(sized: readonly VmSizing[]): DataGaps {
  const byCounter = Object.fromEntries(performanceCounters.map((c) => [c, 0])) as Record<
    PerformanceCounter,
    number
  >;
  const byBasis: DataGaps['byBasis'] = { performance: 0, 'as-on-premises': 0, mixed: 0 };
  let machines = 0;
  for (const s of sized) {
    byBasis[s.basis] += 1;
    if (s.missingData.length > 0) machines += 1;
    for (const counter of s.missingData) byCounter[counter] += 1;
  }
  return { machines, byCounter, byBasis };
}

function exclusionTotals(vms: readonly VmAssessment[]): Assessment['totals']['exclusionCandidates'] {
  const byReason = Object.fromEntries(exclusionReasons.map((r) => [r, 0])) as Record<ExclusionReason, number>;
  const bySuggestion = Object.fromEntries(exclusionSuggestions.map((s) => [s, 0])) as Record<
    ExclusionSuggestion,
    number
  >;
  let servers = 0;
  let cost = 0;
  for (const vm of vms) {
    if (vm.exclusion === undefined) continue;
    servers += 1;
    bySuggestion[vm.exclusion.suggestion] += 1;
    for (const reason of vm.exclusion.reasons) byReason[reason] += 1;
    cost += (vm.sizing?.monthlyCompute ?? 0) + (vm.sizing?.monthlyStorage ?? 0);
  }
  return { servers, byReason, bySuggestion, monthlyCost: round2(cost) };
}

function businessGroupTotals(applications: readonly ApplicationAssessment[]): Assessment['businessGroups'] {
  const groups = new Map<string, { applications: number; monthlyCompute: number; monthlyStorage: number }>();
  for (const app of applications) {
    const g = groups.get(app.classification.businessGroup) ?? {
      applications: 0,
      monthlyCompute: 0,
      monthlyStorage: 0,
    };
    g.applications += 1;
    g.monthlyCompute += app.monthlyCompute;
    g.monthlyStorage += app.monthlyStorage;
    groups.set(app.classification.businessGroup, g);
  }
  return [...groups.entries()]
    .map(([name, g]) => ({
      name,
      applications: g.applications,
      monthlyCompute: round2(g.monthlyCompute),
      monthlyStorage: round2(g.monthlyStorage),
    }))
    .sort((a, b) => b.monthlyCompute + b.monthlyStorage - (a.monthlyCompute + a.monthlyStorage));
}

/**
 * POC candidates: the catalog's own "POC candidate = Y" first, then quick wins that are low in
 * criticality and complexity, smallest first, so the pilot is safe and fast.
 */
function suggestPocs(applications: readonly ApplicationAssessment[], count: number): string[] {
  const flagged = applications.filter(
    (a) => !a.classificationDerived && a.classification.pocCandidate && a.quickWin,
  );
  const safe = applications
    .filter(
      (a) =>
        a.quickWin && a.classification.businessCriticality <= 2 && a.classification.technicalComplexity <= 2,
    )
    .sort(
      (a, b) =>
        a.classification.businessCriticality - b.classification.businessCriticality ||
        a.servers.length - b.servers.length ||
        a.name.localeCompare(b.name),
    );
  return [...new Set([...flagged, ...safe].map((a) => a.name))].slice(0, count);
}
