/**
 * `factory plan validate`: checks a (possibly hand-edited) plan against the rules the planner follows.
 * Each error names the rule and the wave, batch, server or application it concerns. The plan file is
 * its own reference: servers, applications and caps are read from it, so no workspace is needed.
 */
import { azureVmNameProblem, machineIdPartProblem } from '../azure-names.ts';
import type { Plan, PlanExcluded } from './plan-schema.ts';
import { waveNumber } from './wave-assignment.ts';

export interface PlanError {
  rule:
    | 'duplicate-id'
    | 'unknown-server'
    | 'duplicate-server'
    | 'unplaced-server'
    | 'excluded-server-placed'
    | 'not-vmware'
    | 'batch-size'
    | 'split-application'
    | 'dependency-order'
    | 'mixed-environment'
    | 'wave-capacity'
    | 'appliance-capacity'
    | 'missing-appliance'
    | 'database-wave'
    | 'cutover-window'
    | 'pin'
    | 'azure-name';
  wave?: string;
  batch?: string;
  server?: string;
  application?: string;
  message: string;
}

const HARD_BATCH_LIMIT = 100;

export function validatePlan(plan: Plan): PlanError[] {
  const errors: PlanError[] = [];
  const servers = new Map(plan.servers.map((s) => [s.id, s]));
  const apps = new Map(plan.applications.map((a) => [a.name, a]));
  const placement = new Map<string, { wave: string; batch: string }>();
  const waveOrder = new Map(plan.waves.map((w) => [w.id, w.number]));
  const excludedServers = new Map(plan.excluded.filter((e) => e.kind === 'server').map((e) => [e.id, e]));

  const ids = new Set<string>();
  for (const id of plan.waves.flatMap((w) => [w.id, ...w.batches.map((b) => b.id)])) {
    if (ids.has(id)) errors.push({ rule: 'duplicate-id', message: `id ${id} is used twice` });
    ids.add(id);
  }

  for (const wave of plan.waves) {
    for (const batch of wave.batches) {
      const at = { wave: wave.id, batch: batch.id };
      const members = batch.bootGroups.flatMap((g) => g.servers);
      const limit = Math.min(HARD_BATCH_LIMIT, plan.options.batches.maxVms);
      if (members.length > limit)
        errors.push({
          rule: 'batch-size',
          ...at,
          message: `${batch.id} has ${members.length} VMs; a Site Recovery recovery plan holds at most ${limit}`,
        });
      for (const id of members) {
        const server = servers.get(id);
        const refused = excludedServers.get(id);
        if (server === undefined && refused?.category !== undefined) {
          errors.push(placedRefused(refused, at));
          continue;
        }
        if (server === undefined) {
          errors.push({
            rule: 'unknown-server',
            ...at,
            server: id,
            message: `${batch.id} names unknown server ${id}`,
          });
          continue;
        }
        const before = placement.get(id);
        if (before !== undefined)
          errors.push({
            rule: 'duplicate-server',
            ...at,
            server: id,
            message: `server ${server.name} is in ${before.batch} and in ${batch.id}`,
          });
        else placement.set(id, at);
        for (const problem of serverNameProblems(server))
          errors.push({
            rule: 'azure-name',
            ...at,
            server: id,
            message: `server ${JSON.stringify(server.name)} in ${batch.id}: ${problem}`,
          });
        if (server.appliance === undefined || server.appliance === '')
          errors.push({
            rule: 'missing-appliance',
            ...at,
            server: id,
            message: `server ${server.name} in ${batch.id} has no replication appliance`,
          });
      }
      const start = Date.parse(batch.cutoverWindow.start);
      const end = Date.parse(batch.cutoverWindow.end);
      if (!(end > start))
        errors.push({
          rule: 'cutover-window',
          ...at,
          message: `${batch.id}: cutover window ends before it starts`,
        });
      else if (start < Date.parse(wave.replicationEnd))
        errors.push({
          rule: 'cutover-window',
          ...at,
          message: `${batch.id}: cutover window opens ${batch.cutoverWindow.start}, before ${wave.id}'s initial replication ends (${wave.replicationEnd})`,
        });
    }
  }

  for (const server of plan.servers) {
    const at = placement.get(server.id);
    const refused = excludedServers.get(server.id);
    if (at !== undefined && refused !== undefined)
      errors.push(
        refused.category === undefined
          ? {
              rule: 'excluded-server-placed',
              ...at,
              server: server.id,
              message: `server ${server.name} is excluded but placed in ${at.batch}`,
            }
          : placedRefused({ ...refused, name: refused.name ?? server.name }, at),
      );
    if (at === undefined && refused === undefined)
      errors.push({
        rule: 'unplaced-server',
        server: server.id,
        application: server.application,
        message: `server ${server.name} (${server.application}) is in no batch and not excluded`,
      });
  }

  const waveOfApp = new Map<string, string>();
  for (const app of plan.applications) {
    const spots = app.servers.map((id) => placement.get(id)).filter((p) => p !== undefined);
    const waves = [...new Set(spots.map((p) => p.wave))].sort();
    const batches = [...new Set(spots.map((p) => p.batch))].sort();
    if (waves[0] !== undefined) waveOfApp.set(app.name, waves[0]);
    if (waves.length > 1)
      errors.push({
        rule: 'split-application',
        application: app.name,
        message: `application ${app.name} is split across waves ${waves.join(', ')}`,
      });
    else if (batches.length > 1 && app.servers.length <= plan.options.batches.maxVms)
      errors.push({
        rule: 'split-application',
        application: app.name,
        wave: waves[0],
        message: `application ${app.name} (${app.servers.length} VMs) is split across batches ${batches.join(', ')} though it fits in one`,
      });
  }
  for (const app of plan.applications) {
    const wa = waveOfApp.get(app.name);
    for (const other of [...app.moveGroup]) {
      const wo = waveOfApp.get(other);
      if (wa !== undefined && wo !== undefined && wa !== wo && app.name < other)
        errors.push({
          rule: 'split-application',
          application: app.name,
          message: `${app.name} (${wa}) and ${other} (${wo}) form one move group but are in different waves`,
        });
    }
  }

  const acknowledged = new Set(plan.crossWaveDependencies.map((d) => `${d.from}\u0000${d.to}`));
  for (const app of plan.applications) {
    const wa = waveOfApp.get(app.name);
    for (const dep of app.dependsOn) {
      const wd = waveOfApp.get(dep.application);
      if (wa === undefined || wd === undefined || acknowledged.has(`${app.name}\u0000${dep.application}`))
        continue;
      if ((waveOrder.get(wd) ?? 0) > (waveOrder.get(wa) ?? 0))
        errors.push({
          rule: 'dependency-order',
          application: app.name,
          wave: wa,
          message: `${app.name} (${wa}) depends on ${dep.application} (${wd}, later); move it to ${wd} or earlier, or list the risk in crossWaveDependencies`,
        });
    }
  }

  for (const wave of plan.waves) {
    const names = new Set(
      wave.batches
        .flatMap((b) => b.bootGroups.flatMap((g) => g.servers))
        .flatMap((id) => servers.get(id)?.application ?? []),
    );
    // A move group with any production member moves as production (the planner does the same).
    const effective = (n: string) =>
      [n, ...(apps.get(n)?.moveGroup ?? [])].some((m) => apps.get(m)?.environment === 'production')
        ? 'production'
        : 'non-production';
    const classes = new Set([...names].map(effective));
    if (classes.size > 1)
      errors.push({
        rule: 'mixed-environment',
        wave: wave.id,
        message: `${wave.id} mixes production and non-production applications`,
      });
    const vms = wave.batches.flatMap((b) => b.bootGroups.flatMap((g) => g.servers));
    const usedTB = vms.reduce((s, id) => s + ((servers.get(id)?.usedGiB ?? 0) * 1024 ** 3) / 1e12, 0);
    const over = [
      vms.length > wave.caps.vms ? `${vms.length} VMs > ${wave.caps.vms}` : '',
      usedTB > wave.caps.usedTB + 1e-6 ? `${usedTB.toFixed(1)} TB > ${wave.caps.usedTB}` : '',
      names.size > wave.caps.applications ? `${names.size} applications > ${wave.caps.applications}` : '',
    ].filter((s) => s !== '');
    // A wave holding a single move group may exceed the caps: nothing smaller can be moved.
    const groups = new Set([...names].map((n) => [n, ...(apps.get(n)?.moveGroup ?? [])].sort()[0]));
    if (over.length > 0 && groups.size > 1)
      errors.push({
        rule: 'wave-capacity',
        wave: wave.id,
        message: `${wave.id} exceeds its caps: ${over.join(', ')}`,
      });
  }
  errors.push(...applianceErrors(plan, placement));

  const databases = new Map(plan.databases.map((d) => [d.id, d]));
  for (const wave of plan.waves)
    for (const id of wave.databases) {
      const db = databases.get(id);
      const expected = db === undefined ? undefined : waveOfApp.get(db.application);
      if (expected !== wave.id)
        errors.push({
          rule: 'database-wave',
          wave: wave.id,
          message:
            db === undefined
              ? `${wave.id} lists unknown database ${id}`
              : `database ${id} is in ${wave.id} but its application ${db.application} moves in ${expected ?? 'no wave'}`,
        });
    }

  for (const [kind, pins] of [
    ['applications', plan.pins.applications],
    ['servers', plan.pins.servers],
  ] as const)
    for (const [subject, wave] of Object.entries(pins))
      if (waveNumber(wave) === undefined)
        errors.push({
          rule: 'pin',
          message: `pins.${kind}["${subject}"] = "${wave}" is not a wave id like wave-03`,
        });
  return errors;
}

/** A server the planner refused (not a VMware VM, or an exclusion candidate) put into a batch by hand. */
function placedRefused(refused: PlanExcluded, at: { wave: string; batch: string }): PlanError {
  const name = refused.name ?? refused.id;
  return refused.category === 'not-vmware'
    ? {
        rule: 'not-vmware',
        ...at,
        server: refused.id,
        message: `${at.batch} places ${name}, which is not a VMware VM: ${refused.reason}`,
      }
    : {
        rule: 'excluded-server-placed',
        ...at,
        server: refused.id,
        message: `server ${name} is excluded but placed in ${at.batch}: ${refused.reason}`,
      };
}

/** Servers refused for waves because they are not VMware VMs, as `plan validate` and the report list them. */
export const notVmwareServers = (plan: Plan): PlanExcluded[] =>
  plan.excluded.filter((e) => e.kind === 'server' && e.category === 'not-vmware');

/**
 * A placed server's name becomes its Azure VM's name, and its VM UUID and vCenter name its Azure Migrate
 * machine and protected item: a hand-edited plan must not bring in what the import refuses.
 */
function serverNameProblems(server: { name: string; uuid?: string; vcenter?: string }): string[] {
  return [
    azureVmNameProblem(server.name)?.replace(/and import again$/, 'and plan again'),
    server.uuid === undefined ? undefined : machineIdPartProblem(server.uuid, 'VM UUID'),
    server.vcenter === undefined ? undefined : machineIdPartProblem(server.vcenter, 'vCenter'),
  ].filter((problem) => problem !== undefined);
}

/** Appliance load at each wave's replication start: every wave replicating then counts. */
function applianceErrors(plan: Plan, placement: ReadonlyMap<string, { wave: string }>): PlanError[] {
  const errors: PlanError[] = [];
  const { maxVms, maxChurnGBPerDay } = plan.options.appliances;
  const span = new Map(
    plan.waves.map((w) => [w.id, [Date.parse(w.replicationStart), Date.parse(w.cutoverEnd)]]),
  );
  for (const wave of plan.waves) {
    const at = span.get(wave.id)?.[0] ?? 0;
    const load = new Map<string, { vms: number; churn: number }>();
    for (const server of plan.servers) {
      const w = placement.get(server.id)?.wave;
      const s = w === undefined ? undefined : span.get(w);
      if (s === undefined || server.appliance === undefined || !((s[0] ?? 0) <= at && (s[1] ?? 0) > at))
        continue;
      const l = load.get(server.appliance) ?? { vms: 0, churn: 0 };
      l.vms += 1;
      l.churn += server.churnGBPerDay;
      load.set(server.appliance, l);
    }
    for (const [appliance, l] of load) {
      // One VM above the churn cap is reported by the capacity plan; it still needs its own appliance.
      const churnOver = l.churn > maxChurnGBPerDay + 1e-6 && l.vms > 1;
      if (l.vms > maxVms || churnOver)
        errors.push({
          rule: 'appliance-capacity',
          wave: wave.id,
          message: `appliance ${appliance} carries ${l.vms} VMs and ${Math.round(l.churn)} GB/day churn while ${wave.id} replicates (at most ${maxVms} VMs, ${maxChurnGBPerDay} GB/day)`,
        });
    }
  }
  return errors;
}
