/**
 * Properties that must hold whatever the client did. A violation means the orchestrator left Azure
 * in a state a migration factory must never produce. Throttled calls are not violations.
 */
import { idKey } from './arm.ts';
import { dataMigrationViolations } from './data-migration/invariants.ts';
import type { Simulation } from './simulation.ts';

const testFailoverActive = new Set([
  'TestFailoverInitiated',
  'WaitingForCompletion',
  'TestFailoverFailed',
  'MarkedForDeletion',
]);

export function checkInvariants(sim: Simulation): string[] {
  const { state } = sim;
  const violations: string[] = [];

  // 1. No VM enabled twice: more enable jobs than ended protections + 1, or two live items per machine.
  for (const [machine, enables] of Object.entries(state.history.enableJobs)) {
    const ended = state.history.protectionEnded[machine] ?? 0;
    if (enables > ended + 1) {
      violations.push(
        `discovered machine ${machine} had ${enables} enable-replication jobs but only ${ended} protections ended: it was enabled twice`,
      );
    }
  }
  const itemsByMachine = new Map<string, string[]>();
  for (const item of Object.values(state.items)) {
    const list = itemsByMachine.get(idKey(item.machineId)) ?? [];
    list.push(item.name);
    itemsByMachine.set(idKey(item.machineId), list);
  }
  for (const [machine, names] of itemsByMachine) {
    if (names.length > 1)
      violations.push(
        `discovered machine ${machine} is protected by ${names.length} items: ${names.join(', ')}`,
      );
  }

  // 2. No orphaned test-failover VM.
  for (const vm of Object.values(state.targetVms)) {
    if (vm.kind !== 'test') continue;
    const item = state.items[idKey(vm.itemId)];
    if (!item) {
      violations.push(`test VM ${vm.id} is orphaned: its protected item ${vm.itemId} no longer exists`);
    } else if (item.activeLocation === 'Recovery') {
      violations.push(`test VM ${vm.id} is left over after the failover of ${item.name}`);
    } else if (
      item.testVmId === undefined ||
      idKey(item.testVmId) !== idKey(vm.id) ||
      !testFailoverActive.has(item.testFailoverState)
    ) {
      violations.push(`test VM ${vm.id} is left over after test failover cleanup of ${item.name}`);
    }
  }

  // 3. No item in two recovery plans, and no plan over Site Recovery's 100 servers per recovery plan
  // (https://learn.microsoft.com/azure/azure-resource-manager/management/azure-subscription-service-limits#site-recovery-limits).
  const planOfItem = new Map<string, string>();
  for (const plan of Object.values(state.plans)) {
    let count = 0;
    for (const group of plan.groups) {
      for (const member of group.replicationProtectedItems) {
        count += 1;
        const other = planOfItem.get(idKey(member.id));
        if (other !== undefined && other !== plan.name) {
          violations.push(`protected item ${member.id} is in two recovery plans: ${other} and ${plan.name}`);
        }
        planOfItem.set(idKey(member.id), plan.name);
      }
    }
    if (count > 100) violations.push(`recovery plan ${plan.name} holds ${count} items (limit 100)`);
  }

  // 4. Nothing half-done after complete migration.
  for (const done of state.history.completedMigrations) {
    if (done.targetVmId === undefined || !state.targetVms[idKey(done.targetVmId)]) {
      violations.push(
        `migration of ${done.machineId} was completed but its Azure VM ${done.targetVmId ?? '(none)'} does not exist`,
      );
    }
    const source = state.sourceVms[done.sourceVmId];
    if (source?.powerState !== 'POWERED_OFF') {
      violations.push(
        `migration of ${done.machineId} was completed but source VM ${done.sourceVmId} is still powered on`,
      );
    }
    if (itemsByMachine.has(idKey(done.machineId))) {
      violations.push(
        `migration of ${done.machineId} was completed but replication of the machine still exists`,
      );
    }
  }
  // 5. Database Migration: no cutover twice, nothing overwritten, nothing completed half-way.
  violations.push(...dataMigrationViolations(sim));
  return violations;
}
