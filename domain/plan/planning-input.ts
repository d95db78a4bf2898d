/**
 * Turns the estate and its assessment into the planner's working facts: per server the bytes to
 * replicate, churn, IOPS, disks and tier; per application its environment, classification and
 * dependencies. Not-ready servers, servers that are not VMware VMs, exclusion candidates (unless the
 * options opt them in) and excluded servers/applications are set aside here, each with its reason, so
 * nothing disappears silently.
 */
import { buildDependencyGraph } from '../assess/dependency-graph.ts';
import { evidenceLines } from '../assess/evidence-text.ts';
import { notVmwareReason, type ExclusionReason, type ExclusionSuggestion } from '../assess/exclusions.ts';
import type { Estate, Server } from '../inventory/estate-schema.ts';
import type { AssessmentInput } from './assessment-input.ts';
import type { PlanOptions } from './plan-options.ts';
import type { EnvironmentClass, Pins, Plan, PlanApplication, PlanServer } from './plan-schema.ts';
import { serverTiers } from './server-tiers.ts';

export interface PlanningInput {
  servers: Map<string, PlanServer>;
  applications: PlanApplication[];
  /** Per application: the inputs the wave rules rank by. */
  ranking: Map<string, { poc: boolean; quickWin: boolean; risk: number; complexity: number }>;
  /** Applications that list the same server: they must move together. */
  sharedServers: { a: string; b: string; server: string }[];
  excluded: Plan['excluded'];
  warnings: string[];
  /** Planned servers whose churn is the default assumption (no disk write data). */
  assumedChurnServers: number;
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

/**
 * Replication facts of one server. Churn comes from measured disk write throughput only: when the
 * server has no disk write data (none given, or the source flagged its disk counters as having no
 * data), the day's churn is the documented assumption `replication.defaultDailyChurnShare` of used
 * storage and the figure is marked `churnAssumed`, never a "measured" zero.
 */
export function serverFacts(
  server: Server,
  options: PlanOptions,
  /** The assessment found no disk data for this server (its `sizing.missingData` lists 'disk'). */
  diskDataMissing = false,
): Pick<PlanServer, 'usedGiB' | 'disks' | 'iops' | 'churnGBPerDay' | 'peakChurnMBps' | 'churnAssumed'> {
  const diskUsed = server.disks.reduce((s, d) => s + (d.usedGiB ?? 0), 0);
  const usedGiB =
    server.usedGiB ?? (diskUsed > 0 ? diskUsed : server.disks.reduce((s, d) => s + d.sizeGiB, 0));
  const noDiskData = diskDataMissing || (server.missingPerformance ?? []).includes('disk');
  const writes = noDiskData ? [] : server.disks.filter((d) => d.writeMBps !== undefined);
  const peak =
    writes.length > 0
      ? writes.reduce((s, d) => s + (d.writeMBps ?? 0), 0)
      : noDiskData
        ? undefined
        : server.io?.writeMBps;
  const iops = noDiskData
    ? 0
    : server.disks.reduce((s, d) => s + (d.readIops ?? 0) + (d.writeIops ?? 0), 0) ||
      (server.io?.readIops ?? 0) + (server.io?.writeIops ?? 0);
  const { churnDutyCycle, defaultDailyChurnShare } = options.replication;
  const churnGBPerDay =
    peak === undefined
      ? usedGiB * 1.073741824 * defaultDailyChurnShare
      : (peak * 86_400 * churnDutyCycle) / 1000;
  // Without a measured rate, assume the day's churn arrives at the duty cycle's peak rate.
  const peakChurnMBps = peak ?? (churnGBPerDay * 1000) / (86_400 * churnDutyCycle);
  return {
    usedGiB: round(usedGiB),
    disks: Math.max(1, server.disks.length),
    iops: Math.round(iops),
    churnGBPerDay: round(churnGBPerDay),
    peakChurnMBps: round(peakChurnMBps),
    ...(peak === undefined ? { churnAssumed: true } : {}),
  };
}

const environmentClass = (environment: string | undefined): EnvironmentClass =>
  // Unmapped workloads count as production, as Azure Migrate's wave planner assumes.
  environment === 'Development' || environment === 'Test' || environment === 'Staging'
    ? 'non-production'
    : 'production';

export function planningInput(
  estate: Estate,
  assessment: AssessmentInput,
  options: PlanOptions,
  pins: Pins,
): PlanningInput {
  const warnings: string[] = [];
  const excluded: Plan['excluded'] = [];
  const catalog = new Map(estate.applications.map((a) => [a.name, a]));
  const vms = new Map(assessment.vms.map((vm) => [vm.serverId, vm]));
  const byNameOrId = new Map<string, string>();
  for (const s of estate.servers) byNameOrId.set(s.name.toLowerCase(), s.id).set(s.id, s.id);
  const excludedServers = new Set(pins.exclude.servers.map((s) => byNameOrId.get(s.toLowerCase()) ?? s));
  const excludedApps = new Set(pins.exclude.applications);
  for (const app of pins.exclude.applications)
    excluded.push({ kind: 'application', id: app, reason: 'excluded by pins.exclude.applications' });

  // A server listed by several applications is planned with the first (alphabetical) one; the move
  // group rule then keeps the applications together.
  const owner = new Map<string, string>();
  for (const app of assessment.applications)
    if (!excludedApps.has(app.name))
      for (const id of app.servers) if (!owner.has(id)) owner.set(id, app.name);

  const dbHosts = new Map<string, string>();
  for (const db of estate.databases)
    if (db.hostServerId !== undefined && !dbHosts.has(db.hostServerId)) dbHosts.set(db.hostServerId, db.name);
  const graph = buildDependencyGraph(estate.servers, estate.connections, assessment.options.dependencies);
  const tiers = serverTiers(assessment.applications, graph.edges, dbHosts);

  const servers = new Map<string, PlanServer>();
  const notVmware = new Map<string, number>();
  const leftOut = new Map<string, number>();
  for (const server of estate.servers) {
    const application = owner.get(server.id);
    const vm = vms.get(server.id);
    // The workflows replicate Azure Migrate VMware-site machines only: anything else is refused, not guessed.
    if (server.platform !== undefined && server.platform !== 'vmware') {
      excluded.push({
        kind: 'server',
        id: server.id,
        name: server.name,
        reason: notVmwareReason(server.platform),
        category: 'not-vmware',
        platform: server.platform,
      });
      notVmware.set(server.platform, (notVmware.get(server.platform) ?? 0) + 1);
      continue;
    }
    const candidate = exclusionOf(server, vm?.exclusion);
    const blocking = candidate.reasons.filter(
      (r) =>
        r === 'migration-appliance' ||
        (r === 'template' && !options.exclusions.includeTemplates) ||
        (r === 'powered-off' && !options.exclusions.includePoweredOff),
    );
    if (blocking.length > 0) {
      excluded.push({
        kind: 'server',
        id: server.id,
        name: server.name,
        reason: `exclusion candidate (${candidate.suggestion}): ${blocking.map((r) => leftOutBecause[r]).join('; ')}`,
        category: 'exclusion-candidate',
      });
      for (const r of blocking) leftOut.set(r, (leftOut.get(r) ?? 0) + 1);
      continue;
    }
    if (application === undefined) {
      if (!excludedServers.has(server.id))
        excluded.push({
          kind: 'server',
          id: server.id,
          reason: `${server.name} belongs to no planned application`,
        });
      continue;
    }
    if (excludedServers.has(server.id)) {
      excluded.push({ kind: 'server', id: server.id, reason: 'excluded by pins.exclude.servers' });
      continue;
    }
    if (vm?.readiness.status === 'Not ready') {
      const why = vm.readiness.findings.filter((f) => f.status === 'Not ready').map((f) => f.reason);
      excluded.push({
        kind: 'server',
        id: server.id,
        reason: `Not ready for Site Recovery: ${why.join('; ')}`,
      });
      warnings.push(`${application}: server ${server.name} is Not ready and stays behind`);
      continue;
    }
    const tier = tiers.get(server.id) ?? { tier: 'app', reason: 'tier app: default' };
    servers.set(server.id, {
      id: server.id,
      name: server.name,
      application,
      tier: tier.tier,
      ...(server.uuid === undefined ? {} : { uuid: server.uuid }),
      ...(server.vcenter === undefined ? {} : { vcenter: server.vcenter }),
      ...(vm?.sizing?.vmSize === undefined ? {} : { targetVmSize: vm.sizing.vmSize }),
      ...serverFacts(server, options, vm?.sizing?.missingData?.includes('disk') === true),
      reasons: [tier.reason, ...candidate.reasons.flatMap((r) => plannedAnyway[r] ?? [])],
    });
  }
  const counts = (m: ReadonlyMap<string, number>) =>
    [...m.entries()]
      .sort((a, b) => a[0].localeCompare(b[0]))
      .map(([k, n]) => `${k} ${n}`)
      .join(', ');
  const total = (m: ReadonlyMap<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  if (notVmware.size > 0)
    warnings.push(
      `${total(notVmware)} servers are not VMware VMs (${counts(notVmware)}) and are refused for waves: the factory migrates VMware VMs; each is listed in excluded with how to migrate it`,
    );
  if (leftOut.size > 0)
    warnings.push(
      `exclusion candidates left out of waves (${counts(leftOut)}); opt powered-off VMs or templates in with options.exclusions`,
    );

  const dependsOn = new Map<string, PlanApplication['dependsOn']>();
  for (const edge of assessment.applicationEdges) {
    const list = dependsOn.get(edge.from) ?? [];
    list.push({ application: edge.to, strength: edge.strength });
    dependsOn.set(edge.from, list);
  }
  const pocs = new Set(assessment.pocCandidates);
  const ranking: PlanningInput['ranking'] = new Map();
  const applications: PlanApplication[] = [];
  const sharedServers: PlanningInput['sharedServers'] = [];
  for (const app of assessment.applications) {
    if (excludedApps.has(app.name)) continue;
    for (const id of app.servers) {
      const first = servers.get(id)?.application;
      if (first !== undefined && first !== app.name)
        sharedServers.push({ a: first, b: app.name, server: servers.get(id)?.name ?? id });
    }
    const planned = app.servers.filter((id) => servers.get(id)?.application === app.name);
    if (planned.length === 0) {
      excluded.push({ kind: 'application', id: app.name, reason: 'no server of it can be migrated' });
      continue;
    }
    const c = app.classification;
    applications.push({
      name: app.name,
      environment: environmentClass(catalog.get(app.name)?.environment),
      businessGroup: c.businessGroup,
      criticality: c.businessCriticality,
      priority: c.migrationPriority,
      servers: [...planned].sort(),
      dependsOn: (dependsOn.get(app.name) ?? []).filter((d) => !excludedApps.has(d.application)),
      moveGroup: [],
      // Why the assessment grouped these servers, so `plan --explain` shows the evidence too.
      reasons: app.evidence === undefined ? [] : evidenceLines(app.evidence).map((l) => `grouped: ${l}`),
    });
    ranking.set(app.name, {
      poc: pocs.has(app.name),
      quickWin: app.quickWin,
      risk: c.migrationRisk,
      complexity: c.technicalComplexity,
    });
  }
  const assumedChurnServers = [...servers.values()].filter((s) => s.churnAssumed === true).length;
  if (assumedChurnServers > 0)
    warnings.push(
      `${assumedChurnServers} of ${servers.size} servers have no disk write data: their churn is assumed at ${options.replication.defaultDailyChurnShare * 100} % of used storage per day (replication.defaultDailyChurnShare), not measured`,
    );
  return {
    assumedChurnServers,
    servers,
    applications: applications.sort((a, b) => a.name.localeCompare(b.name)),
    ranking,
    sharedServers,
    excluded,
    warnings,
  };
}

const leftOutBecause: Record<ExclusionReason, string> = {
  'not-vmware': 'not a VMware VM',
  'migration-appliance': 'Azure Migrate appliance: it serves the migration and is not migrated',
  template:
    'VMware template: plan it only with options.exclusions.includeTemplates, after converting it to a VM',
  'powered-off':
    'powered off: plan it only with options.exclusions.includePoweredOff, and power it on before its wave replicates',
};

const plannedAnyway: Partial<Record<ExclusionReason, string>> = {
  template:
    'VMware template planned because options.exclusions.includeTemplates is set: convert it to a VM before its wave replicates',
  'powered-off':
    'powered off, planned because options.exclusions.includePoweredOff is set: power it on before its wave replicates (the Mobility agent replicates running machines)',
};

/**
 * The server's exclusion reasons: the assessment's (which knows the appliances) joined with the estate's
 * own facts, so an assessment made before candidates were flagged cannot let a template into a wave.
 */
function exclusionOf(
  server: Server,
  assessed: { reasons: ExclusionReason[]; suggestion: ExclusionSuggestion } | undefined,
): { reasons: ExclusionReason[]; suggestion: ExclusionSuggestion } {
  const reasons = new Set(assessed?.reasons ?? []);
  if (server.template === true) reasons.add('template');
  else if (server.poweredOn === false) reasons.add('powered-off');
  const suggestion =
    assessed?.suggestion ??
    (reasons.has('template') || reasons.has('migration-appliance') ? 'exclude' : 'review');
  return { reasons: [...reasons], suggestion };
}
