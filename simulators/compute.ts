/**
 * The slice of Microsoft.Compute the simulator serves: the virtual machines that failovers create, so a
 * client can verify with a plain ARM GET that a target (or test) VM exists.
 */
import { idKey, notFound, page, parseResourceGroupId, type ArmRoute } from './arm.ts';
import { iso } from './clock.ts';
import type { Simulation } from './simulation.ts';
import type { ProtectedItem, TargetVm } from './site-recovery/types.ts';

export const computeApiVersions = [
  '2024-07-01',
  '2024-03-01',
  '2023-09-01',
  '2023-07-01',
  '2023-03-01',
  '2022-11-01',
];

export const virtualMachineId = (subscriptionId: string, resourceGroup: string, name: string) =>
  `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.Compute/virtualMachines/${name}`;

/** Creates (or replaces) the Azure VM a failover of `item` produces. */
export function createTargetVm(
  sim: Simulation,
  item: ProtectedItem,
  kind: TargetVm['kind'],
  at: number,
  networkId: string | undefined,
): TargetVm {
  const group = parseResourceGroupId(item.target.resourceGroupId);
  if (!group) throw new Error(`item ${item.id} has an invalid target resource group id`);
  const source = sim.state.sourceVms[item.sourceVmId];
  const name = kind === 'test' ? `${item.target.vmName}-test` : item.target.vmName;
  const vm: TargetVm = {
    id: virtualMachineId(group.subscriptionId, group.resourceGroup, name),
    name,
    subscriptionId: group.subscriptionId,
    resourceGroup: group.resourceGroup,
    location: sim.state.vaults[idKey(item.vaultId)]?.location ?? 'westeurope',
    kind,
    itemId: item.id,
    machineId: item.machineId,
    sourceVmId: item.sourceVmId,
    vmSize: item.target.vmSize ?? defaultVmSize(source?.cpus ?? 2),
    ...(networkId === undefined ? {} : { networkId }),
    osType: source && /windows/i.test(source.os) ? 'Windows' : 'Linux',
    createdAt: at,
    tags: { 'migration-factory/source-vm': item.sourceVmId, 'migration-factory/kind': kind },
  };
  sim.state.targetVms[idKey(vm.id)] = vm;
  return vm;
}

export function deleteTargetVm(sim: Simulation, id: string | undefined): void {
  if (id !== undefined) delete sim.state.targetVms[idKey(id)];
}

function defaultVmSize(cpus: number): string {
  if (cpus <= 2) return 'Standard_D2s_v5';
  if (cpus <= 4) return 'Standard_D4s_v5';
  if (cpus <= 8) return 'Standard_D8s_v5';
  return 'Standard_D16s_v5';
}

function vmResource(vm: TargetVm) {
  return {
    id: vm.id,
    name: vm.name,
    type: 'Microsoft.Compute/virtualMachines',
    location: vm.location,
    tags: vm.tags,
    properties: {
      vmId: vm.itemId.slice(-36),
      provisioningState: 'Succeeded',
      timeCreated: iso(vm.createdAt),
      hardwareProfile: { vmSize: vm.vmSize },
      storageProfile: { osDisk: { osType: vm.osType, name: `${vm.name}-osdisk`, createOption: 'Attach' } },
      networkProfile: vm.networkId
        ? { networkInterfaces: [{ id: `${vm.networkId}/nics/${vm.name}-nic` }] }
        : {},
    },
  };
}

export function computeRoutes(sim: Simulation): ArmRoute[] {
  const base =
    '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Compute';
  return [
    {
      pattern: `${base}/virtualMachines/{vmName}`,
      methods: {
        GET: {
          operation: 'VirtualMachines_Get',
          apiVersions: computeApiVersions,
          handle: ({ params }) => {
            const { subscriptionId = '', resourceGroupName = '', vmName = '' } = params;
            const vm =
              sim.state.targetVms[idKey(virtualMachineId(subscriptionId, resourceGroupName, vmName))];
            if (!vm) {
              throw notFound(
                'ResourceNotFound',
                `The Resource 'Microsoft.Compute/virtualMachines/${vmName}' under resource group '${resourceGroupName}' was not found.`,
              );
            }
            return { status: 200, body: vmResource(vm) };
          },
        },
      },
    },
    {
      pattern: `${base}/virtualMachines`,
      methods: {
        GET: {
          operation: 'VirtualMachines_List',
          apiVersions: computeApiVersions,
          handle: (request) => {
            const { subscriptionId = '', resourceGroupName = '' } = request.params;
            const vms = Object.values(sim.state.targetVms).filter(
              (vm) =>
                vm.subscriptionId.toLowerCase() === subscriptionId.toLowerCase() &&
                vm.resourceGroup.toLowerCase() === resourceGroupName.toLowerCase(),
            );
            return { status: 200, body: page(vms.map(vmResource), request, sim.endpoint) };
          },
        },
      },
    },
  ];
}
