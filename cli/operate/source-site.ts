/**
 * The source side of a planned estate as the simulator (and the demo) model it: one vCenter's VMs with
 * their UUIDs, disks, application and tier, and the replication appliances the plan assigns them to.
 * `factory stack --workspace` and the integration tests seed the simulator with it, so a wave started
 * from the plan finds its discovered machines.
 */
import { loadEstate } from '../../workspace/files.ts';
import { loadPlan } from '../../workspace/plan-files.ts';
import type { SourceDisk, SourceSite, SourceVm } from '../../domain/estate.ts';

/**
 * The Azure Migrate VMware site a vCenter is discovered into, unless `--vmware-site` says otherwise:
 * "<domain>-vmware-site" (vcenter01.contoso.local → contoso-vmware-site), the demo's convention.
 */
export function defaultVmwareSiteName(vcenter: string): string {
  const labels = vcenter.split('.');
  const name = labels.length > 1 && labels[1] ? labels[1] : vcenter;
  return `${name.toLowerCase().replace(/[^a-z0-9-]/g, '-')}-vmware-site`;
}

export interface SourceSiteOptions {
  /** Which vCenter, when the plan spans several. */
  vcenter?: string;
  /** Cap each disk's used size (GiB), so tests replicate in seconds. */
  maxDiskUsedGiB?: number;
}

export async function sourceSiteFromWorkspace(
  workspace: string,
  options: SourceSiteOptions = {},
): Promise<SourceSite> {
  const [estate, plan] = await Promise.all([loadEstate(workspace), loadPlan(workspace)]);
  const vcenters = [...new Set(plan.servers.flatMap((s) => (s.vcenter ? [s.vcenter] : [])))].sort();
  const vcenter = options.vcenter ?? vcenters[0];
  if (vcenter === undefined) throw new Error(`the plan in ${workspace} names no vCenter`);
  if (options.vcenter === undefined && vcenters.length > 1)
    throw new Error(`the plan spans several vCenters (${vcenters.join(', ')}); choose one`);
  const facts = new Map(estate.servers.map((s) => [s.id, s]));
  const vms: SourceVm[] = [];
  const appliances = new Set<string>();
  for (const server of plan.servers) {
    if (server.vcenter !== vcenter || server.uuid === undefined) continue;
    const fact = facts.get(server.id);
    if (server.appliance) appliances.add(server.appliance);
    vms.push({
      name: server.name,
      uuid: server.uuid,
      os: fact?.os ?? 'unknown',
      cpus: fact?.cpus ?? 2,
      memoryMiB: fact?.memoryMiB ?? 4096,
      disks: disksOf(fact?.disks ?? [], server.usedGiB, options.maxDiskUsedGiB),
      churnMiBPerDay: Math.round(server.churnGBPerDay * 1024),
      application: server.application,
      tier: server.tier,
    });
  }
  return {
    vcenter,
    vmwareSiteName: defaultVmwareSiteName(vcenter),
    appliances: [...appliances]
      .sort()
      .map((name) => ({ name, bandwidthMbps: plan.options.appliances.bandwidthMbps })),
    uplinkMbps: plan.options.network.uplinkMbps,
    vms,
  };
}

/** Disks with their used size: as inventoried, else the server's used storage spread by disk size. */
function disksOf(
  disks: { id: string; sizeGiB: number; usedGiB?: number }[],
  serverUsedGiB: number,
  cap = Number.POSITIVE_INFINITY,
): SourceDisk[] {
  if (disks.length === 0) {
    const used = Math.min(serverUsedGiB, cap);
    return [{ id: '2000', sizeGiB: Math.max(1, Math.ceil(serverUsedGiB)), usedGiB: round(used) }];
  }
  const total = disks.reduce((sum, d) => sum + d.sizeGiB, 0) || 1;
  return disks.map((d) => ({
    id: d.id,
    sizeGiB: d.sizeGiB,
    usedGiB: round(Math.min(d.usedGiB ?? (serverUsedGiB * d.sizeGiB) / total, d.sizeGiB, cap)),
  }));
}

const round = (n: number) => Math.round(n * 100) / 100;
