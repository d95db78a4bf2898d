/**
 * Turns one wave of the plan into the migration workflows' input: a BatchSpec per batch (VMs in boot
 * order: databases, application servers, web) with its cutover window. Azure Migrate names discovered
 * machines after the vCenter and the VM's instance UUID, so the plan's facts give the machine id.
 */
import { discoveredMachineId } from '../estate.ts';
import type { BatchSpec } from '../migration.ts';
import type { CutoverWindow, Plan } from './plan-schema.ts';

export interface MigrationScope {
  subscriptionId: string;
  resourceGroup: string;
  /** Azure Migrate VMware site name per vCenter (Microsoft.OffAzure/VMwareSites/{name}). */
  vmwareSites: Record<string, string>;
}

export function batchSpecsFromPlan(
  plan: Plan,
  waveId: string,
  scope: MigrationScope,
): { spec: BatchSpec; cutoverWindow: CutoverWindow }[] {
  const wave = plan.waves.find((w) => w.id === waveId);
  if (wave === undefined) throw new Error(`the plan has no wave ${waveId}`);
  const servers = new Map(plan.servers.map((s) => [s.id, s]));
  return wave.batches.map((batch) => ({
    spec: {
      waveId: wave.id,
      batchId: batch.id,
      vms: [...batch.bootGroups]
        .sort((a, b) => a.order - b.order)
        .flatMap((group) =>
          group.servers.map((id) => {
            const server = servers.get(id);
            if (server === undefined) throw new Error(`${batch.id} names unknown server ${id}`);
            const site = server.vcenter === undefined ? undefined : scope.vmwareSites[server.vcenter];
            if (server.uuid === undefined || server.vcenter === undefined || site === undefined)
              throw new Error(
                `server ${server.name} in ${batch.id} has no ${server.uuid === undefined ? 'VM UUID' : server.vcenter === undefined ? 'vCenter' : `Azure Migrate site for ${server.vcenter}`}: its discovered machine cannot be named`,
              );
            if (server.appliance === undefined)
              throw new Error(`server ${server.name} in ${batch.id} has no replication appliance`);
            return {
              name: server.name,
              machineId: discoveredMachineId(
                scope.subscriptionId,
                scope.resourceGroup,
                {
                  vcenter: server.vcenter,
                  vmwareSiteName: site,
                },
                { uuid: server.uuid },
              ),
              tier: group.tier,
              appliance: server.appliance,
              ...(server.targetVmSize === undefined ? {} : { targetVmSize: server.targetVmSize }),
            };
          }),
        ),
    },
    cutoverWindow: batch.cutoverWindow,
  }));
}
