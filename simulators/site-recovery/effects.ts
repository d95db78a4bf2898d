/** What happens to the world when a job task ends. */
import { idKey } from '../arm.ts';
import { createTargetVm, deleteTargetVm } from '../compute.ts';
import type { Simulation } from '../simulation.ts';
import type { Effect, ProtectedItem } from './types.ts';

export function applyEffect(sim: Simulation, effect: Effect, at: number): void {
  const item = sim.state.items[idKey(effect.itemId)];
  if (!item) return;
  switch (effect.type) {
    case 'enableCompleted':
      item.protectionState = 'InitialReplicationInProgress';
      sim.replication.startSync(item, 'initial', at);
      return;
    case 'enableFailed':
      item.protectionState = 'EnablingFailed';
      sim.replication.detach(item, at);
      return;
    case 'mobilityAgentInstalled': {
      const source = sim.state.sourceVms[item.sourceVmId];
      if (source) delete source.noMobilityAgent;
      return;
    }
    case 'powerOffSource': {
      const source = sim.state.sourceVms[item.sourceVmId];
      if (source) source.powerState = 'POWERED_OFF';
      return;
    }
    case 'testFailoverCompleted':
      item.testVmId = createTargetVm(sim, item, 'test', at, effect.networkId ?? item.target.testNetworkId).id;
      item.testFailoverState = 'WaitingForCompletion';
      item.lastSuccessfulTestFailoverTime = at;
      return;
    case 'testFailoverFailed':
      item.testFailoverState = 'TestFailoverFailed';
      return;
    case 'testFailoverCleanedUp':
      deleteTargetVm(sim, item.testVmId);
      delete item.testVmId;
      item.testFailoverState = 'None';
      return;
    case 'failoverCompleted':
      item.failoverRecoveryPointId = sim.replication.currentRecoveryPointId(item, at);
      item.targetVmId = createTargetVm(sim, item, 'failover', at, item.target.networkId).id;
      item.protectionState = 'UnplannedFailoverCompleted';
      item.activeLocation = 'Recovery';
      item.lastSuccessfulFailoverTime = at;
      sim.replication.detach(item, at);
      return;
    case 'failoverFailed':
      item.protectionState = 'UnplannedFailoverFailed';
      return;
    case 'failoverCancelled':
      deleteTargetVm(sim, item.targetVmId);
      delete item.targetVmId;
      delete item.failoverRecoveryPointId;
      item.protectionState = 'Protected';
      item.activeLocation = 'Primary';
      sim.replication.attach(item, at);
      return;
    case 'commitCompleted':
      item.protectionState = 'CommitFailoverCompleted';
      return;
    case 'commitFailed':
      // The failover stands; the commit can be retried.
      item.protectionState = 'UnplannedFailoverCompleted';
      return;
    case 'resyncStarted':
      // Repair clears a stall; an unfinished initial replication starts over, a finished one resyncs.
      delete item.stalledSince;
      sim.replication.startSync(
        item,
        item.initialSync?.completedAt === undefined ? 'initial' : 'resync',
        at,
        {
          repair: true,
        },
      );
      return;
    case 'itemRemoved':
      removeItem(sim, item, at, effect.migrationComplete);
      return;
    case 'itemPurged':
      removeItem(sim, item, at, false);
      return;
  }
}

function removeItem(sim: Simulation, item: ProtectedItem, at: number, migrationComplete: boolean): void {
  sim.replication.detach(item, at);
  const key = idKey(item.id);
  for (const plan of Object.values(sim.state.plans)) {
    for (const group of plan.groups) {
      group.replicationProtectedItems = group.replicationProtectedItems.filter(
        (member) => idKey(member.id) !== key,
      );
    }
  }
  const machine = idKey(item.machineId);
  sim.state.history.protectionEnded[machine] = (sim.state.history.protectionEnded[machine] ?? 0) + 1;
  if (migrationComplete) {
    sim.state.history.completedMigrations.push({
      itemId: item.id,
      machineId: item.machineId,
      sourceVmId: item.sourceVmId,
      ...(item.targetVmId === undefined ? {} : { targetVmId: item.targetVmId }),
      at,
    });
  }
  delete sim.state.items[key];
  sim.itemsAddedOrRemoved();
}
