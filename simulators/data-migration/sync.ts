/**
 * The data-sync model shared by SQL migrations and classic DMS tasks. Rates are constant between
 * checkpoints (they change only when a target is rescaled or a stall fault changes, and the model is
 * settled up to that instant first), so `settle` rolls a sync forward analytically:
 *
 *   Starting (validation, fixed) → Uploading (full backup at the upload bandwidth; full load in
 *   `fullLoad` mode at min(bandwidth, apply rate)) → Restoring (backup/restore mode, at the target's
 *   apply rate) → offline: Completing → Succeeded; online: CatchingUp (log backups keep arriving at the
 *   log rate; the backlog drains at apply − log rate) → Ready (backlog ≤ one 10-minute log backup) →
 *   cutover → Completing → Succeeded (or Failed when an injected fault fails the cutover).
 *
 * Log generated while the full backup is uploaded and restored is the backlog the catch-up must drain.
 */
import type { DataSync, SyncFailure, SyncPhase } from './types.ts';

export interface SyncRates {
  uploadBytesPerSecond: number;
  applyBytesPerSecond: number;
}

export const startingSeconds = 60;
export const offlineCompletionSeconds = 60;
export const cutoverBaseSeconds = 60;
export const cancelSeconds = 30;
/** Log backups are taken every 10 minutes; Ready means at most one is pending. */
export const logBackupIntervalSeconds = 600;
const mib = 1024 ** 2;

export const terminalPhases: ReadonlySet<SyncPhase> = new Set(['Succeeded', 'Failed', 'Canceled']);
export const isTerminal = (sync: DataSync): boolean => terminalPhases.has(sync.phase);

export function newSync(options: {
  mode: DataSync['mode'];
  online: boolean;
  sizeMB: number;
  logRateMBPerHour: number;
  at: number;
}): DataSync {
  return {
    mode: options.mode,
    online: options.online,
    phase: 'Starting',
    phaseStartedAt: options.at,
    phaseEndsAt: options.at + startingSeconds * 1000,
    checkpointAt: options.at,
    totalBytes: Math.round(options.sizeMB * mib),
    uploadedBytes: 0,
    restoredBytes: 0,
    backlogBytes: 0,
    appliedLogBytes: 0,
    logBytesPerSecond: options.online ? (options.logRateMBPerHour * mib) / 3600 : 0,
  };
}

export const readyThresholdBytes = (sync: DataSync): number =>
  Math.max(mib, sync.logBytesPerSecond * logBackupIntervalSeconds);

/** Pending log backups (10-minute backups not yet restored). */
export const pendingLogBackups = (sync: DataSync): number =>
  sync.logBytesPerSecond <= 0 || sync.backlogBytes <= 0
    ? 0
    : Math.ceil(sync.backlogBytes / (sync.logBytesPerSecond * logBackupIntervalSeconds));

function enter(sync: DataSync, phase: SyncPhase, at: number, durationSeconds?: number): void {
  sync.phase = phase;
  sync.phaseStartedAt = at;
  if (durationSeconds === undefined) delete sync.phaseEndsAt;
  else sync.phaseEndsAt = at + Math.ceil(durationSeconds * 1000);
}

const uploadRate = (sync: DataSync, rates: SyncRates) =>
  sync.mode === 'fullLoad'
    ? Math.min(rates.uploadBytesPerSecond, rates.applyBytesPerSecond)
    : rates.uploadBytesPerSecond;

const secondsFor = (bytes: number, rate: number) => (bytes <= 0 ? 0 : rate > 0 ? bytes / rate : Infinity);

/** Simulated time of the sync's next phase boundary with these rates (Infinity: none). */
export const nextBoundaryAt = (sync: DataSync, rates: SyncRates): number =>
  sync.checkpointAt + msToBoundary(sync, rates);

/** Simulated ms from `sync.checkpointAt` to the next phase boundary (Infinity: none with these rates). */
function msToBoundary(sync: DataSync, rates: SyncRates): number {
  const threshold = readyThresholdBytes(sync);
  const net = rates.applyBytesPerSecond - sync.logBytesPerSecond;
  switch (sync.phase) {
    case 'Starting':
    case 'Completing':
    case 'Canceling':
      return Math.max(0, (sync.phaseEndsAt ?? sync.checkpointAt) - sync.checkpointAt);
    case 'Uploading':
      return Math.ceil(secondsFor(sync.totalBytes - sync.uploadedBytes, uploadRate(sync, rates)) * 1000);
    case 'Restoring':
      return Math.ceil(secondsFor(sync.totalBytes - sync.restoredBytes, rates.applyBytesPerSecond) * 1000);
    case 'CatchingUp':
      if (sync.backlogBytes <= threshold) return 0;
      return net > 0 ? Math.ceil(((sync.backlogBytes - threshold) / net) * 1000) : Infinity;
    case 'Ready':
      if (sync.backlogBytes > threshold * 1.5) return 0;
      return net < 0 ? Math.ceil(((threshold * 1.5 - sync.backlogBytes) / -net) * 1000) : Infinity;
    case 'Succeeded':
    case 'Failed':
    case 'Canceled':
      return Infinity;
  }
}

function integrate(sync: DataSync, rates: SyncRates, ms: number): void {
  if (ms <= 0) return;
  const seconds = ms / 1000;
  const logging = sync.online && ['Uploading', 'Restoring', 'CatchingUp', 'Ready'].includes(sync.phase);
  switch (sync.phase) {
    case 'Uploading':
      sync.uploadedBytes = Math.min(sync.totalBytes, sync.uploadedBytes + uploadRate(sync, rates) * seconds);
      if (sync.mode === 'fullLoad') sync.restoredBytes = sync.uploadedBytes;
      break;
    case 'Restoring':
      sync.restoredBytes = Math.min(
        sync.totalBytes,
        sync.restoredBytes + rates.applyBytesPerSecond * seconds,
      );
      break;
    case 'CatchingUp':
    case 'Ready': {
      const before = sync.backlogBytes + sync.logBytesPerSecond * seconds;
      const after = Math.max(0, before - rates.applyBytesPerSecond * seconds);
      sync.appliedLogBytes += before - after;
      sync.backlogBytes = after;
      return;
    }
    default:
      break;
  }
  if (logging) sync.backlogBytes += sync.logBytesPerSecond * seconds;
}

function transition(sync: DataSync, at: number): void {
  switch (sync.phase) {
    case 'Starting':
      enter(sync, 'Uploading', at);
      return;
    case 'Uploading':
      sync.uploadedBytes = sync.totalBytes;
      sync.uploadedAt = at;
      if (sync.mode === 'backupRestore') {
        enter(sync, 'Restoring', at);
        return;
      }
      sync.restoredBytes = sync.totalBytes;
      sync.restoredAt = at;
      afterRestore(sync, at);
      return;
    case 'Restoring':
      sync.restoredBytes = sync.totalBytes;
      sync.restoredAt = at;
      afterRestore(sync, at);
      return;
    case 'CatchingUp':
      sync.readyAt ??= at;
      enter(sync, 'Ready', at);
      return;
    case 'Ready':
      enter(sync, 'CatchingUp', at);
      return;
    case 'Completing':
      if (sync.cutoverFailure) {
        sync.failure = sync.cutoverFailure;
        enter(sync, 'Failed', at);
      } else {
        if (sync.online) {
          sync.appliedLogBytes += sync.backlogBytes;
          sync.backlogBytes = 0;
        }
        enter(sync, 'Succeeded', at);
      }
      sync.endedAt = at;
      return;
    case 'Canceling':
      enter(sync, 'Canceled', at);
      sync.endedAt = at;
      return;
    case 'Succeeded':
    case 'Failed':
    case 'Canceled':
      return;
  }
}

function afterRestore(sync: DataSync, at: number): void {
  if (sync.online) enter(sync, 'CatchingUp', at);
  else enter(sync, 'Completing', at, offlineCompletionSeconds);
}

/**
 * Rolls the sync forward to `at` with constant `rates`; calls `onPhase` for every phase entered, at
 * the simulated time it was entered.
 */
export function settle(
  sync: DataSync,
  at: number,
  rates: SyncRates,
  onPhase: (phase: SyncPhase, at: number) => void = () => undefined,
): void {
  for (let guard = 0; guard < 100 && sync.checkpointAt <= at; guard += 1) {
    const boundary = sync.checkpointAt + msToBoundary(sync, rates);
    if (boundary > at) {
      integrate(sync, rates, at - sync.checkpointAt);
      sync.checkpointAt = at;
      return;
    }
    integrate(sync, rates, boundary - sync.checkpointAt);
    sync.checkpointAt = boundary;
    const before = sync.phase;
    transition(sync, boundary);
    if (sync.phase === before) return;
    onPhase(sync.phase, boundary);
  }
}

/** Starts the cutover of a Ready sync; the cutover fails at its end when `failure` is given. */
export function startCutover(sync: DataSync, rates: SyncRates, at: number, failure?: SyncFailure): void {
  const apply = Math.max(rates.applyBytesPerSecond, mib);
  if (failure) sync.cutoverFailure = failure;
  enter(sync, 'Completing', at, cutoverBaseSeconds + sync.backlogBytes / apply);
}

export function startCancel(sync: DataSync, at: number): void {
  enter(sync, 'Canceling', at, cancelSeconds);
}
