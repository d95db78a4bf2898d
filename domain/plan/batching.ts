/**
 * Cuts a wave into batches of at most 100 VMs, one Site Recovery recovery plan each. A batch holds one
 * business group, so it has one cutover window; an application is never split across batches unless it
 * alone exceeds the batch size, and then it is split along its tiers (with a warning). Inside a batch the
 * boot groups follow the tiers: databases, then application servers, then web. The 100 is Site Recovery's
 * "Number of servers per recovery plan":
 * https://learn.microsoft.com/azure/azure-resource-manager/management/azure-subscription-service-limits#site-recovery-limits
 */
import type { PlanApplication, PlanServer } from './plan-schema.ts';
import type { Tier } from './server-tiers.ts';

export const bootOrder: readonly Tier[] = ['db', 'app', 'web'];

export interface DraftBatch {
  id: string;
  businessGroup: string;
  applications: string[];
  servers: PlanServer[];
  warnings: string[];
}

const byTierThenName = (a: PlanServer, b: PlanServer) =>
  bootOrder.indexOf(a.tier) - bootOrder.indexOf(b.tier) || a.name.localeCompare(b.name);

/** Chunks of one oversized application: whole tiers where they fit, a tier cut only when it alone is too big. */
export function splitAlongTiers(servers: readonly PlanServer[], maxVms: number): PlanServer[][] {
  const chunks: PlanServer[][] = [];
  let current: PlanServer[] = [];
  for (const tier of bootOrder) {
    let members = servers.filter((s) => s.tier === tier).sort(byTierThenName);
    if (members.length === 0) continue;
    // A tier that fits a batch of its own is kept whole; only a tier bigger than a batch is cut.
    if (members.length <= maxVms && current.length + members.length > maxVms) {
      chunks.push(current);
      current = [];
    }
    while (current.length + members.length > maxVms) {
      const room = maxVms - current.length;
      chunks.push([...current, ...members.slice(0, room)]);
      current = [];
      members = members.slice(room);
    }
    current.push(...members);
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

export function batchWave(
  waveId: string,
  applications: readonly PlanApplication[],
  servers: ReadonlyMap<string, PlanServer>,
  maxVms: number,
  say: (subject: string, text: string) => void,
): DraftBatch[] {
  const byGroup = new Map<string, PlanApplication[]>();
  for (const app of applications)
    byGroup.set(app.businessGroup, [...(byGroup.get(app.businessGroup) ?? []), app]);
  const drafts: Omit<DraftBatch, 'id'>[] = [];
  for (const [businessGroup, apps] of [...byGroup.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
    const members = (app: PlanApplication) =>
      app.servers.map((id) => servers.get(id)).filter((s): s is PlanServer => s !== undefined);
    // First-fit decreasing: big applications first, so small ones fill the gaps.
    const sorted = [...apps].sort(
      (a, b) => b.servers.length - a.servers.length || a.name.localeCompare(b.name),
    );
    const open: Omit<DraftBatch, 'id'>[] = [];
    for (const app of sorted) {
      const vms = members(app);
      if (vms.length > maxVms) {
        const chunks = splitAlongTiers(vms, maxVms);
        const warning = `${app.name} has ${vms.length} VMs, more than ${maxVms} per recovery plan: split along tiers into ${chunks.length} batches`;
        for (const chunk of chunks)
          drafts.push({ businessGroup, applications: [app.name], servers: chunk, warnings: [warning] });
        continue;
      }
      let batch = open.find((b) => b.servers.length + vms.length <= maxVms);
      if (batch === undefined) {
        batch = { businessGroup, applications: [], servers: [], warnings: [] };
        open.push(batch);
      }
      batch.applications.push(app.name);
      batch.servers.push(...vms);
    }
    drafts.push(...open);
  }
  return drafts.map((d, i) => {
    const id = `${waveId}-batch-${String(i + 1).padStart(2, '0')}`;
    const batch: DraftBatch = {
      ...d,
      id,
      applications: [...d.applications].sort(),
      servers: [...d.servers].sort((a, b) => a.id.localeCompare(b.id)),
    };
    const split = d.warnings.length > 0;
    for (const app of batch.applications)
      say(
        app,
        split
          ? `${id}: part of ${app} split along tiers (${batch.servers.length} VMs)`
          : `${id}: ${batch.businessGroup} batch with room for its ${batch.servers.filter((s) => s.application === app).length} VMs (${batch.servers.length}/${maxVms} VMs in the recovery plan)`,
      );
    for (const s of batch.servers)
      s.reasons.push(
        `${id} (${batch.businessGroup}), boot group ${bootOrder.indexOf(s.tier) + 1} (${s.tier}) with application ${s.application}`,
      );
    return batch;
  });
}
