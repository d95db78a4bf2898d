/**
 * Bandwidth model for initial replication and resync. An appliance pushes at most
 * `bandwidth × efficiency`, shared equally by its transfers, where efficiency < 1 when the appliance is
 * past its sizing (~200 protected machines or 2 TB/day of churn); the site uplink is shared max-min
 * fairly: every transfer gets the same rate unless its appliance caps it lower, and what it leaves goes
 * to the others (`fairShare`). Rates are piecewise constant: whenever the set of transfers or appliance load changes, each
 * transfer is checkpointed and its completion event rescheduled. Reads interpolate from the checkpoint.
 * The appliance sizing (up to 200 machines, >1 TB to 2 TB of daily change) is the replication appliance's
 * published one ("Sizing and capacity" in
 * https://learn.microsoft.com/azure/site-recovery/replication-appliance-support-matrix).
 */
import { idKey } from '../arm.ts';
import { guidFromText } from '../ids.ts';
import type { SimulationCore } from '../simulation-core.ts';
import type { Fabric, ProcessServer, ProtectedItem, SyncProgress } from './types.ts';

export const applianceMachineLimit = 200;
export const applianceChurnLimitBytesPerDay = 2 * 1024 ** 4;
const bytesPerSecondPerMbps = 1_000_000 / 8;
const mib = 1024 ** 2;

export interface ApplianceLoad {
  protectedItemCount: number;
  churnBytesPerDay: number;
  activeTransfers: number;
  /** 1 when within sizing; below 1 (proportionally) when past the machine or churn limit. */
  efficiency: number;
  overloadReasons: string[];
}

export class ReplicationModel {
  /** fabric key → item keys with an active transfer */
  private readonly activeByFabric = new Map<string, Set<string>>();
  /** process server key → item keys replicating through it (source side active) */
  private readonly itemsByAppliance = new Map<string, Set<string>>();
  /** Appliance loads until an item of the appliance changes (every item of a listing shows its appliance's). */
  private readonly loads = new Map<string, ApplianceLoad>();

  constructor(private readonly sim: SimulationCore) {
    for (const item of Object.values(sim.state.items)) {
      if (replicatesFromSource(item))
        this.setOf(this.itemsByAppliance, item.processServerId).add(idKey(item.id));
      if (activeSync(item)) this.setOf(this.activeByFabric, item.fabricId).add(idKey(item.id));
    }
  }

  /** An item now replicates through its appliance (enable accepted). */
  attach(item: ProtectedItem, at: number): void {
    this.setOf(this.itemsByAppliance, item.processServerId).add(idKey(item.id));
    this.loadChanged(item);
    this.rebalance(item.fabricId, at);
  }

  /** The item stopped replicating from the source (failover, removal): free its share. */
  detach(item: ProtectedItem, at: number): void {
    const key = idKey(item.id);
    this.itemsByAppliance.get(idKey(item.processServerId))?.delete(key);
    const sync = activeSync(item);
    if (sync) {
      checkpoint(sync, at);
      this.activeByFabric.get(idKey(item.fabricId))?.delete(key);
    }
    this.loadChanged(item);
    this.rebalance(item.fabricId, at);
  }

  /** Starts a transfer; a first initial replication may stall by fault injection (a repair never does). */
  startSync(
    item: ProtectedItem,
    kind: SyncProgress['kind'],
    at: number,
    options: { repair?: boolean } = {},
  ): void {
    if (
      kind === 'initial' &&
      !options.repair &&
      this.sim.faults.replicationStalls(idKey(item.id), item.friendlyName)
    ) {
      item.stalledSince = at;
    }
    const totalBytes = item.disks.reduce((sum, disk) => sum + disk.usedBytes, 0);
    const sync: SyncProgress = {
      kind,
      startedAt: at,
      checkpointAt: at,
      checkpointBytes: 0,
      totalBytes,
      rateBytesPerSecond: 0,
      slow: false,
    };
    if (kind === 'initial') item.initialSync = sync;
    else item.resync = sync;
    this.setOf(this.activeByFabric, item.fabricId).add(idKey(item.id));
    this.loadChanged(item);
    this.rebalance(item.fabricId, at);
  }

  /**
   * Handles a fabric's "next transfer completes" event: finishes every transfer that is complete at `at`,
   * re-derives the remaining rates and returns the items whose transfer finished (none if the event is stale).
   */
  transfersDue(fabricIdValue: string, version: number, at: number): ProtectedItem[] {
    const fabric = this.sim.state.fabrics[idKey(fabricIdValue)];
    if (!fabric || (fabric.transferVersion ?? 0) !== version) return [];
    const active = this.activeByFabric.get(idKey(fabricIdValue)) ?? new Set<string>();
    const finished: ProtectedItem[] = [];
    for (const key of active) {
      const item = this.sim.state.items[key];
      const sync = item && activeSync(item);
      if (!item || !sync) {
        active.delete(key);
        continue;
      }
      // One byte of slack absorbs floating-point rounding in the interpolation.
      if (sync.totalBytes - transferredBytes(sync, at) <= 1) {
        sync.checkpointBytes = sync.totalBytes;
        sync.checkpointAt = at;
        sync.completedAt = at;
        active.delete(key);
        finished.push(item);
        this.loadChanged(item);
      }
    }
    this.rebalance(fabricIdValue, at);
    return finished;
  }

  /** Attach, detach, sync start and end change what its appliance's load counts. */
  private loadChanged(item: ProtectedItem): void {
    this.loads.delete(idKey(item.processServerId));
  }

  applianceLoad(processServerId: string): ApplianceLoad {
    const applianceKey = idKey(processServerId);
    const cached = this.loads.get(applianceKey);
    if (cached) return cached;
    const load = this.measureLoad(applianceKey);
    this.loads.set(applianceKey, load);
    return load;
  }

  private measureLoad(applianceKey: string): ApplianceLoad {
    const keys = this.itemsByAppliance.get(applianceKey) ?? new Set<string>();
    let churnBytesPerDay = 0;
    let activeTransfers = 0;
    for (const key of keys) {
      const item = this.sim.state.items[key];
      if (!item) continue;
      churnBytesPerDay += (this.sim.state.sourceVms[item.sourceVmId]?.churnMiBPerDay ?? 0) * mib;
      if (activeSync(item)) activeTransfers += 1;
    }
    const overloadReasons: string[] = [];
    let efficiency = 1;
    if (keys.size > applianceMachineLimit) {
      efficiency *= applianceMachineLimit / keys.size;
      overloadReasons.push(
        `${keys.size} protected machines exceed the appliance sizing of ${applianceMachineLimit}`,
      );
    }
    if (churnBytesPerDay > applianceChurnLimitBytesPerDay) {
      efficiency *= applianceChurnLimitBytesPerDay / churnBytesPerDay;
      overloadReasons.push(
        `${(churnBytesPerDay / 1024 ** 4).toFixed(2)} TB/day of churn exceeds the appliance limit of 2 TB/day`,
      );
    }
    return { protectedItemCount: keys.size, churnBytesPerDay, activeTransfers, efficiency, overloadReasons };
  }

  /**
   * Recovery point objective of a protected item: a minute-scale baseline that grows with the VM's
   * churn and with appliance overload.
   */
  rpoSeconds(item: ProtectedItem): number {
    const churnPerDay = (this.sim.state.sourceVms[item.sourceVmId]?.churnMiBPerDay ?? 0) * mib;
    const perDiskLimit = 168 * 1024 ** 3;
    const base = 30 + 90 * Math.min(1, churnPerDay / perDiskLimit);
    const { efficiency } = this.applianceLoad(item.processServerId);
    return Math.round(base / (efficiency * efficiency));
  }

  /** Crash-consistent recovery points are taken every policy interval; the latest one is behind by the RPO. */
  currentRecoveryPointId(item: ProtectedItem, now: number): string {
    const policy = this.sim.state.policies[idKey(item.policyId)];
    const intervalMs = (policy?.crashConsistentFrequencyInMinutes ?? 5) * 60_000;
    const pointTime = Math.floor((now - this.rpoSeconds(item) * 1000) / intervalMs) * intervalMs;
    return `${item.id}/recoveryPoints/${guidFromText(`${item.id}:${pointTime}`)}`;
  }

  /** Re-derives every transfer's rate (after stall or outage faults change). */
  rebalanceAll(at: number): void {
    this.loads.clear();
    for (const fabric of Object.values(this.sim.state.fabrics)) this.rebalance(fabric.id, at);
  }

  /** Whether an item's transfer is halted by an injected stall or an outage of its appliance. */
  halted(item: ProtectedItem): boolean {
    if (item.stalledSince !== undefined) return true;
    const fabric = this.sim.state.fabrics[idKey(item.fabricId)];
    const appliance = fabric && findProcessServer(fabric, item.processServerId);
    return appliance !== undefined && this.sim.faults.applianceDown(appliance.name);
  }

  /** Re-derives every active transfer's rate on a fabric at simulated time `at`. */
  private rebalance(fabricIdValue: string, at: number): void {
    const fabric = this.sim.state.fabrics[idKey(fabricIdValue)];
    if (!fabric) return;
    fabric.transferVersion = (fabric.transferVersion ?? 0) + 1;
    this.sim.changed();
    const active = this.activeByFabric.get(idKey(fabricIdValue));
    if (!active || active.size === 0) return;
    const all = [...active].flatMap((key) => this.sim.state.items[key] ?? []);
    for (const item of all) {
      const sync = activeSync(item);
      if (sync && this.halted(item)) {
        checkpoint(sync, at);
        sync.rateBytesPerSecond = 0;
      }
    }
    // Halted transfers use no bandwidth.
    const items = all.filter((item) => !this.halted(item));
    const perAppliance = new Map<string, { transfers: number; capacity: number; load: ApplianceLoad }>();
    for (const item of items) {
      const key = idKey(item.processServerId);
      const entry = perAppliance.get(key);
      if (entry) {
        entry.transfers += 1;
        continue;
      }
      const load = this.applianceLoad(item.processServerId);
      const bandwidthMbps = findProcessServer(fabric, item.processServerId)?.bandwidthMbps ?? 0;
      perAppliance.set(key, {
        transfers: 1,
        capacity: bandwidthMbps * bytesPerSecondPerMbps * load.efficiency,
        load,
      });
    }
    const level = fairShare(fabric.uplinkMbps * bytesPerSecondPerMbps, [...perAppliance.values()]);
    let nextCompletion = Infinity;
    for (const item of items) {
      const sync = activeSync(item);
      if (!sync) continue;
      const appliance = perAppliance.get(idKey(item.processServerId));
      if (!appliance) continue;
      checkpoint(sync, at);
      sync.rateBytesPerSecond = Math.min(level, appliance.capacity / appliance.transfers);
      sync.slow = appliance.load.efficiency < 1;
      if (sync.rateBytesPerSecond > 0) {
        const remaining = sync.totalBytes - sync.checkpointBytes;
        nextCompletion = Math.min(
          nextCompletion,
          at + Math.ceil((remaining / sync.rateBytesPerSecond) * 1000),
        );
      }
    }
    if (Number.isFinite(nextCompletion)) {
      this.sim.schedule({
        kind: 'transfersDue',
        at: nextCompletion,
        fabricId: fabric.id,
        version: fabric.transferVersion,
      });
    }
  }

  private setOf(map: Map<string, Set<string>>, id: string): Set<string> {
    const key = idKey(id);
    let set = map.get(key);
    if (!set) {
      set = new Set();
      map.set(key, set);
    }
    return set;
  }
}

/**
 * Max-min fair share of the uplink per transfer: transfers on an appliance that cannot fill their equal
 * share (its capacity ÷ its transfers is lower) leave the rest to the others, as TCP flows do on a shared
 * link. Returns the per-transfer level; an appliance's transfers get min(level, capacity ÷ transfers).
 */
export function fairShare(uplink: number, appliances: { transfers: number; capacity: number }[]): number {
  const byPerTransfer = [...appliances].sort((a, b) => a.capacity / a.transfers - b.capacity / b.transfers);
  let remaining = uplink;
  let transfers = byPerTransfer.reduce((sum, a) => sum + a.transfers, 0);
  for (const appliance of byPerTransfer) {
    const level = remaining / transfers;
    if (appliance.capacity / appliance.transfers >= level) return level;
    remaining -= appliance.capacity;
    transfers -= appliance.transfers;
  }
  return Infinity;
}

/** The transfer in flight, if any (resync takes precedence: it only runs after initial replication). */
export function activeSync(item: ProtectedItem): SyncProgress | undefined {
  if (item.resync && item.resync.completedAt === undefined) return item.resync;
  if (item.initialSync && item.initialSync.completedAt === undefined) return item.initialSync;
  return undefined;
}

/** Items whose source still replicates through the appliance (counted against its sizing). */
export function replicatesFromSource(item: ProtectedItem): boolean {
  return item.activeLocation === 'Primary' && item.protectionState !== 'EnablingFailed';
}

/** Bytes transferred by simulated time `now`. */
export function transferredBytes(sync: SyncProgress, now: number): number {
  if (sync.completedAt !== undefined) return sync.totalBytes;
  const elapsedSeconds = Math.max(0, now - sync.checkpointAt) / 1000;
  return Math.min(
    sync.totalBytes,
    Math.floor(sync.checkpointBytes + sync.rateBytesPerSecond * elapsedSeconds),
  );
}

function checkpoint(sync: SyncProgress, at: number): void {
  sync.checkpointBytes = transferredBytes(sync, at);
  sync.checkpointAt = at;
}

export function findProcessServer(fabric: Fabric, processServerId: string): ProcessServer | undefined {
  return fabric.processServers.find((server) => idKey(server.id) === idKey(processServerId));
}
