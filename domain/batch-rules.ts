/**
 * Pure rules of a migration batch: how replication readings change each VM's standing (stall detection,
 * repair, parking) and how VMs end. The batch workflow applies them; unit tests pin them down.
 */
import type { BatchResult, VmDisposition, VmReplicationStatus } from './migration.ts';

export interface VmTrack {
  name: string;
  status: VmReplicationStatus;
  disposition: VmDisposition;
  reason?: string;
  errorCode?: string;
  /** The step a parked VM failed in; a retry re-runs it. */
  failedStep?: 'enable' | 'replication';
  /** Workflow time (ms) since which the VM has made no replication progress. */
  stalledSinceMs?: number;
  repairs: number;
}

export interface StallPolicy {
  /** How long NoProgress may last before the batch acts. */
  stallAfterMs: number;
  /** Resynchronisations to try before the VM is parked. */
  maxRepairs: number;
}

export interface ReplicationDecisions {
  repair: string[];
  /** `step` is what a retry must redo: enable again (the enable job failed) or resume replication. */
  park: { name: string; step: 'enable' | 'replication'; reason: string; errorCode?: string }[];
}

export function describeHealth(status: VmReplicationStatus): { reason: string; errorCode?: string } {
  const error = status.healthErrors[0];
  if (!error) return { reason: `${status.protectionState} (replication health ${status.replicationHealth})` };
  const action = error.recommendedAction ? ` Recommended action: ${error.recommendedAction}` : '';
  return { reason: `${error.message || status.protectionState}.${action}`, errorCode: error.code };
}

/** Records a reading on the active VMs' tracks and decides which stalled or failed VMs to repair or park. */
export function applyReplicationReading(
  tracks: VmTrack[],
  readings: VmReplicationStatus[],
  nowMs: number,
  policy: StallPolicy,
): ReplicationDecisions {
  const byName = new Map(readings.map((r) => [r.name, r]));
  const decisions: ReplicationDecisions = { repair: [], park: [] };
  for (const track of tracks) {
    const reading = byName.get(track.name);
    if (track.disposition !== 'active' || !reading) continue;
    track.status = reading;
    if (reading.state === 'error' || reading.state === 'absent') {
      const { reason, errorCode } = describeHealth(reading);
      decisions.park.push({
        name: track.name,
        step: reading.state === 'absent' || /enabl/i.test(reading.protectionState) ? 'enable' : 'replication',
        reason: reading.state === 'absent' ? 'Protected item disappeared during replication' : reason,
        errorCode,
      });
      continue;
    }
    const stalled = reading.state === 'replicating' && reading.progressHealth === 'NoProgress';
    if (!stalled) {
      track.stalledSinceMs = undefined;
      continue;
    }
    track.stalledSinceMs ??= nowMs;
    if (nowMs - track.stalledSinceMs < policy.stallAfterMs) continue;
    if (track.repairs < policy.maxRepairs) {
      decisions.repair.push(track.name);
      track.repairs += 1;
      track.stalledSinceMs = nowMs;
    } else {
      const { reason, errorCode } = describeHealth(reading);
      decisions.park.push({
        name: track.name,
        step: 'replication',
        reason: `Replication stalled after ${track.repairs} resync(s): ${reason}`,
        errorCode,
      });
    }
  }
  return decisions;
}

export function park(
  track: VmTrack,
  step: 'enable' | 'replication',
  reason: string,
  errorCode?: string,
): void {
  track.disposition = 'parked';
  track.failedStep = step;
  track.reason = reason;
  track.errorCode = errorCode;
}

/** Each VM's single final outcome. A rolled-back batch rolls back every VM that was still in it. */
export function batchOutcomes(tracks: VmTrack[], rolledBack: boolean): BatchResult['vms'] {
  return tracks.map((track) => {
    const base = { name: track.name, reason: track.reason, errorCode: track.errorCode };
    if (track.disposition === 'skipped') return { ...base, outcome: 'deferred' };
    if (rolledBack) return { ...base, outcome: 'rolled-back' };
    if (track.disposition === 'migrated') return { name: track.name, outcome: 'migrated' };
    return {
      ...base,
      outcome: 'failed-needs-attention',
      reason: track.reason ?? 'Did not complete migration',
    };
  });
}

export function countDispositions(tracks: VmTrack[]): Partial<Record<VmDisposition, number>> {
  const counts: Partial<Record<VmDisposition, number>> = {};
  for (const track of tracks) counts[track.disposition] = (counts[track.disposition] ?? 0) + 1;
  return counts;
}
