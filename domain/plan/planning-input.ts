/**
 * Turns the estate and its assessment into the planner's working facts: per server the bytes to
 * replicate, churn, IOPS, disks and tier; per application its environment, classification and
 * dependencies. Not-ready servers and excluded servers/applications are set aside here, each with
 * its reason, so nothing disappears silently.
 */
import { buildDependencyGraph } from '../assess/dependency-graph.ts';
import { evidenceLines } from '../assess/evidence-text.ts';
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
  for (const server of estate.servers) {
    if (server.template === true) {
      excluded.push({
        kind: 'server',
        id: server.id,
        reason: `${server.name} is a VM template; templates are not migrated`,
      });
      continue;
    }
    const application = owner.get(server.id);
    const vm = vms.get(server.id);
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
      reasons: [tier.reason],
    });
  }

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
