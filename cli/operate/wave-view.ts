/**
 * The wave status view, pure: a snapshot of the wave and its batches (as the workflows' queries report
 * them) → what needs a decision now → lines of text. `wave status`, `--watch` and `--json` share it.
 */
import type { VmDisposition } from '../../domain/migration.ts';
import type { BatchProgress, WaveProgress } from '../../contracts/messages.ts';
import { fitWidth, formatDuration, progressBar } from './progress-format.ts';

export interface HealthErrorView {
  batchId: string;
  vm: string;
  code: string;
  message: string;
  recommendedAction?: string;
}

export interface BatchView {
  batchId: string;
  workflowId: string;
  url: string;
  /** False while the wave has not started the batch's workflow. */
  started: boolean;
  phase: string;
  paused: boolean;
  detail?: string;
  cutoverAt?: string;
  vmCount: number;
  counts: Partial<Record<VmDisposition, number>>;
  replicationPercent?: number;
  etaSeconds?: number;
  maxRpoSeconds?: number;
  healthErrors: HealthErrorView[];
  parked: { vm: string; reason?: string; errorCode?: string }[];
}

export interface Decision {
  kind: 'approval' | 'gate-refused' | 'held-batch' | 'sign-off' | 'cutover-window';
  subject: string;
  detail: string;
  /** The command that acts on it (with a reason still to fill in). */
  command: string;
}

export interface WaveSnapshot {
  waveId: string;
  workflowId: string;
  url: string;
  /** Temporal's execution status: RUNNING, COMPLETED, FAILED, CANCELLED, TERMINATED, … */
  status: string;
  phase: WaveProgress['phase'];
  detail?: string;
  approval?: WaveProgress['approval'];
  maxConcurrentBatches?: number;
  gate?: WaveProgress['gate'];
  vmCount: number;
  /** VMs by disposition over the started batches; VMs of batches not started yet count as pending. */
  vms: Record<string, number>;
  batchesByPhase: Record<string, number>;
  batches: BatchView[];
  decisions: Decision[];
  takenAt: string;
}

const replicationPhases = new Set(['enabling-replication', 'replicating']);

export function batchView(
  entry: WaveProgress['batches'][number],
  progress: BatchProgress | undefined,
  url: string,
): BatchView {
  if (!progress) {
    return {
      batchId: entry.batchId,
      workflowId: entry.workflowId,
      url,
      started: false,
      phase: entry.phase,
      paused: false,
      vmCount: entry.vmCount,
      counts: {},
      healthErrors: [],
      parked: [],
    };
  }
  const replicating = progress.vms.filter((vm) => vm.disposition === 'active' || vm.disposition === 'parked');
  const rpos = progress.vms.flatMap((vm) => (vm.rpoSeconds === undefined ? [] : [vm.rpoSeconds]));
  return {
    batchId: progress.batchId,
    workflowId: entry.workflowId,
    url,
    started: true,
    phase: progress.phase,
    paused: progress.paused,
    ...(progress.detail ? { detail: progress.detail } : {}),
    ...(progress.cutoverAt ? { cutoverAt: progress.cutoverAt } : {}),
    vmCount: progress.vms.length,
    counts: progress.counts,
    ...(replicating.length > 0
      ? {
          replicationPercent:
            replicating.reduce((sum, vm) => sum + vm.initialReplicationPercent, 0) / replicating.length,
        }
      : {}),
    ...(rpos.length > 0 ? { maxRpoSeconds: Math.max(...rpos) } : {}),
    healthErrors: progress.vms.flatMap((vm) =>
      vm.healthErrors.map((e) => ({
        batchId: progress.batchId,
        vm: vm.name,
        code: e.code,
        message: e.message,
        ...(e.recommendedAction ? { recommendedAction: e.recommendedAction } : {}),
      })),
    ),
    parked: progress.vms
      .filter((vm) => vm.disposition === 'parked')
      .map((vm) => ({
        vm: vm.name,
        ...(vm.reason ? { reason: vm.reason } : {}),
        ...(vm.errorCode ? { errorCode: vm.errorCode } : {}),
      })),
  };
}

/** What an operator has to decide now: approvals, gate refusals, held batches, sign-offs, missed windows. */
export function decisionsOf(wave: WaveProgress, batches: BatchView[]): Decision[] {
  const id = wave.waveId;
  const decisions: Decision[] = [];
  if (wave.phase === 'awaiting-approval')
    decisions.push({
      kind: 'approval',
      subject: id,
      detail: wave.detail ?? 'Waiting for an approval',
      command: `factory wave approve ${id} --reason "…" --ticket CHG-…`,
    });
  if (wave.phase === 'gate-refused') {
    const waive = (wave.gate?.notReady ?? [])
      .slice(0, 3)
      .map((s) => ` --waive ${s.server}="…"`)
      .join('');
    const capacity = (wave.gate?.capacity.length ?? 0) > 0 ? ' --accept-capacity' : '';
    const checks = (wave.gate?.preflight ?? []).map((c) => ` --waive-check ${c.name}="…"`).join('');
    decisions.push({
      kind: 'gate-refused',
      subject: id,
      detail: wave.detail ?? 'The gate refuses the wave',
      command: `factory wave approve ${id}${waive}${capacity}${checks} --reason "…"  (or fix what preflight names and approve again)`,
    });
  }
  for (const batch of batches) {
    const at = `${id} --batch ${batch.batchId}`;
    if (batch.phase === 'awaiting-operator') {
      const parked = batch.parked.map((p) => p.vm);
      const command = batch.detail?.includes('cutover window')
        ? `factory wave cutover ${at} --now --force --reason "…"  |  --postpone <ISO>`
        : parked.length > 0
          ? `factory wave retry ${at} --vm ${parked.join(' ')} --reason "…"  |  factory wave skip ${at} --vm … --reason "…"`
          : `factory wave retry ${at} --reason "…"  |  factory wave rollback ${at} --reason "…"`;
      decisions.push({ kind: 'held-batch', subject: batch.batchId, detail: batch.detail ?? 'held', command });
    } else if (
      (batch.phase === 'validating' || batch.phase === 'validating-cutover') &&
      batch.detail?.includes('sign-off')
    ) {
      decisions.push({
        kind: 'sign-off',
        subject: batch.batchId,
        detail: `${batch.phase === 'validating' ? 'Test failover' : 'Cutover'} waits for a sign-off`,
        command: `factory wave sign-off ${at} --reason "…"  (or --reject)`,
      });
    }
  }
  return decisions;
}

export function countVms(batches: BatchView[]): Record<string, number> {
  const vms: Record<string, number> = {};
  for (const batch of batches) {
    if (!batch.started) vms.pending = (vms.pending ?? 0) + batch.vmCount;
    for (const [disposition, n] of Object.entries(batch.counts))
      vms[disposition] = (vms[disposition] ?? 0) + (n ?? 0);
  }
  return vms;
}

export function countPhases(batches: BatchView[]): Record<string, number> {
  const phases: Record<string, number> = {};
  for (const batch of batches) phases[batch.phase] = (phases[batch.phase] ?? 0) + 1;
  return phases;
}

const countsText = (counts: Record<string, number>) =>
  Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ') || 'none';

/** Batches that need attention first, then active ones, then the rest, in plan order within each. */
function attentionOrder(batches: BatchView[]): BatchView[] {
  const rank = (b: BatchView) =>
    b.phase === 'awaiting-operator'
      ? 0
      : !b.started
        ? 3
        : ['completed', 'rolled-back'].includes(b.phase)
          ? 2
          : 1;
  return batches
    .map((b, i) => ({ b, i }))
    .sort((x, y) => rank(x.b) - rank(y.b) || x.i - y.i)
    .map(({ b }) => b);
}

export interface RenderOptions {
  /** Cut lines to this many columns. */
  width?: number;
  /** Show at most this many batch rows (the most urgent first). */
  maxBatchRows?: number;
  /** Health errors listed before "… and N more". */
  maxHealthErrors?: number;
  /** Print each batch's Web UI link. */
  links?: boolean;
}

export function renderWave(snapshot: WaveSnapshot, options: RenderOptions = {}): string[] {
  const {
    width = Number.POSITIVE_INFINITY,
    maxBatchRows = Number.POSITIVE_INFINITY,
    maxHealthErrors = 10,
  } = options;
  const lines: string[] = [];
  const s = snapshot;
  const concurrency =
    s.maxConcurrentBatches === undefined ? '' : ` · up to ${s.maxConcurrentBatches} at a time`;
  lines.push(
    `Wave ${s.waveId} · ${s.phase} (${s.status}) · ${s.vmCount} VMs in ${s.batches.length} batch(es)${concurrency}`,
  );
  if (s.detail) lines.push(`  ${s.detail}`);
  if (s.approval)
    lines.push(
      `  Approved by ${s.approval.by}${s.approval.ticket ? ` (${s.approval.ticket})` : ''}: ${s.approval.reason}`,
    );
  lines.push(`  ${s.url}`);
  lines.push(`VMs: ${countsText(s.vms)}`);
  lines.push(`Batches: ${countsText(s.batchesByPhase)}`);
  lines.push('');
  lines.push(
    `${'BATCH'.padEnd(22)} ${'PHASE'.padEnd(24)} ${'VMS'.padStart(4)}  ${'REPLICATION'.padEnd(27)} ${'ETA'.padEnd(8)} RPO`,
  );
  const ordered = attentionOrder(s.batches);
  for (const b of ordered.slice(0, maxBatchRows)) {
    const phase = `${b.phase}${b.paused ? ' (paused)' : ''}`;
    const replication = b.replicationPercent === undefined ? '' : progressBar(b.replicationPercent);
    const eta =
      b.etaSeconds === undefined || (b.replicationPercent ?? 100) >= 100 || !replicationPhases.has(b.phase)
        ? ''
        : formatDuration(b.etaSeconds);
    const rpo = b.maxRpoSeconds === undefined ? '' : formatDuration(b.maxRpoSeconds);
    lines.push(
      `${b.batchId.padEnd(22)} ${phase.padEnd(24)} ${String(b.vmCount).padStart(4)}  ${replication.padEnd(27)} ${eta.padEnd(8)} ${rpo}`.trimEnd(),
    );
    if (options.links) lines.push(`  ${b.url}`);
  }
  if (ordered.length > maxBatchRows) lines.push(`… ${ordered.length - maxBatchRows} more batch(es)`);
  const errors = s.batches.flatMap((b) => b.healthErrors);
  if (errors.length > 0) {
    lines.push('');
    lines.push(`Health errors (${errors.length}):`);
    for (const e of errors.slice(0, maxHealthErrors)) {
      lines.push(`  ${e.batchId} ${e.vm}: ${e.code} ${e.message}`);
      if (e.recommendedAction) lines.push(`    → ${e.recommendedAction}`);
    }
    if (errors.length > maxHealthErrors) lines.push(`  … and ${errors.length - maxHealthErrors} more`);
  }
  lines.push('');
  if (s.decisions.length === 0) lines.push('Needs a decision now: nothing.');
  else {
    lines.push(`Needs a decision now (${s.decisions.length}):`);
    for (const d of s.decisions) {
      lines.push(`  ! ${d.subject} [${d.kind}]: ${d.detail}`);
      lines.push(`    ${d.command}`);
    }
  }
  return lines.map((line) => fitWidth(line, width));
}

/** One line for logs and pipes: the wave's phase and each batch's phase and replication decile. */
export function summaryLine(snapshot: WaveSnapshot): string {
  const batches = snapshot.batches.map((b) => {
    const pct =
      b.replicationPercent !== undefined && replicationPhases.has(b.phase)
        ? ` ${Math.floor(b.replicationPercent / 10) * 10}%`
        : '';
    return `${b.batchId}: ${b.phase}${b.paused ? ' (paused)' : ''}${pct}`;
  });
  const decisions = snapshot.decisions.length > 0 ? ` | ${snapshot.decisions.length} decision(s) needed` : '';
  return `${snapshot.waveId} ${snapshot.phase} | ${batches.join(' | ')}${decisions}`;
}
