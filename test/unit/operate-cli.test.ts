import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../../contracts/errors.ts';
import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { CliError, ExitCode, toExit } from '../../cli/operate/exit-codes.ts';
import { closestNames, levenshtein, suggestion } from '../../cli/operate/levenshtein.ts';
import { EtaTracker, formatDuration, mapBounded, progressBar } from '../../cli/operate/progress-format.ts';
import { defaultVmwareSiteName } from '../../domain/demo.ts';
import {
  batchView,
  decisionsOf,
  renderWave,
  summaryLine,
  type WaveSnapshot,
} from '../../cli/operate/wave-view.ts';

describe('levenshtein and suggestions', () => {
  it('measures edits', () => {
    expect(levenshtein('wave-01', 'wave-01')).toBe(0);
    expect(levenshtein('wave-1', 'wave-01')).toBe(1);
    expect(levenshtein('kitten', 'sitting')).toBe(3);
    expect(levenshtein('', 'abc')).toBe(3);
  });
  it('suggests the closest names first, or lists what exists', () => {
    expect(closestNames('wave-1', ['wave-01', 'wave-02', 'wave-10', 'pilot'])).toEqual([
      'wave-01',
      'wave-10',
      'wave-02',
    ]);
    expect(suggestion('zzz', ['wave-01'], 'waves')).toBe('Known waves: wave-01.');
    expect(suggestion('zzz', [], 'waves')).toBe('There are no waves yet.');
  });
});

describe('exit codes', () => {
  it('maps errors to distinct codes', () => {
    expect(toExit(new CliError('x', ExitCode.notFound))).toEqual({ exitCode: 3, message: 'x' });
    expect(toExit(new CommanderError(1, 'commander.missingMandatoryOptionValue', 'm')).exitCode).toBe(2);
    expect(toExit(new CommanderError(0, 'commander.helpDisplayed', '')).exitCode).toBe(0);
    const refused = new Error('update failed', {
      cause: ApplicationFailure.create({
        type: ErrorType.operatorActionRefused,
        message: 'Batch b is completed.',
      }),
    });
    refused.name = 'WorkflowUpdateFailedError';
    expect(toExit(refused)).toEqual({ exitCode: 4, message: 'refused: Batch b is completed.' });
    const unavailable = Object.assign(new Error('14 UNAVAILABLE'), { code: 14 });
    expect(toExit(unavailable).exitCode).toBe(5);
    expect(toExit(new Error('boom'))).toEqual({ exitCode: 1, message: 'boom' });
  });
});

describe('progress formatting', () => {
  it('draws bars and durations', () => {
    expect(progressBar(40, 10)).toBe('[####------]  40%');
    expect(progressBar(150, 4)).toBe('[####] 100%');
    expect(formatDuration(45)).toBe('45 s');
    expect(formatDuration(200)).toBe('3m 20s');
    expect(formatDuration(7500)).toBe('2h 05m');
    expect(formatDuration(3 * 86_400 + 4 * 3600)).toBe('3d 04h');
  });
  it('estimates time to completion from observed progress', () => {
    const eta = new EtaTracker();
    expect(eta.observe('b', 10, 0)).toBeUndefined();
    expect(eta.observe('b', 20, 10_000)).toBeCloseTo(80);
    expect(eta.observe('b', 100, 20_000)).toBe(0);
  });
  it('bounds concurrency and keeps order', async () => {
    let inFlight = 0;
    let peak = 0;
    const out = await mapBounded([1, 2, 3, 4, 5, 6], 2, async (n) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight -= 1;
      return n * 2;
    });
    expect(out).toEqual([2, 4, 6, 8, 10, 12]);
    expect(peak).toBe(2);
  });
  it('names the VMware site after the vCenter domain', () => {
    expect(defaultVmwareSiteName('vcenter01.contoso.local')).toBe('contoso-vmware-site');
    expect(defaultVmwareSiteName('vc')).toBe('vc-vmware-site');
  });
});

describe('wave view', () => {
  const vm = (name: string, percent: number, extra = {}) => ({
    name,
    state: 'replicating' as const,
    protectionState: 'InitialReplicationInProgress',
    replicationHealth: 'Normal',
    initialReplicationPercent: percent,
    progressHealth: 'Normal',
    rpoSeconds: 120,
    healthErrors: [],
    disposition: 'active' as const,
    ...extra,
  });
  const held = batchView(
    { batchId: 'b1', phase: 'awaiting-operator', workflowId: 'batch-b1', vmCount: 2 },
    {
      batchId: 'b1',
      phase: 'awaiting-operator',
      detail: '1 VM(s) parked: a',
      paused: false,
      vms: [
        vm('a', 0, {
          disposition: 'parked',
          healthErrors: [
            { code: '78001', message: 'No heartbeat', recommendedAction: 'Check the appliance' },
          ],
        }),
        vm('b', 60),
      ],
      counts: { parked: 1, active: 1 },
      updatedAt: '',
    },
    'http://ui/b1',
  );
  const pending = batchView(
    { batchId: 'b2', phase: 'pending', workflowId: 'batch-b2', vmCount: 3 },
    undefined,
    'u',
  );
  const wave = { waveId: 'w', phase: 'running-batches' as const, batches: [] };
  const snapshot: WaveSnapshot = {
    waveId: 'w',
    workflowId: 'wave-w',
    url: 'http://ui/wave-w',
    status: 'RUNNING',
    phase: 'running-batches',
    vmCount: 5,
    vms: { pending: 3, parked: 1, active: 1 },
    batchesByPhase: { 'awaiting-operator': 1, pending: 1 },
    batches: [pending, held],
    decisions: decisionsOf(wave, [pending, held]),
    takenAt: '2026-01-01T00:00:00.000Z',
  };
  it('summarises a batch and lists what needs a decision', () => {
    expect(held.replicationPercent).toBe(30);
    expect(held.parked).toEqual([{ vm: 'a' }]);
    expect(snapshot.decisions).toEqual([
      {
        kind: 'held-batch',
        subject: 'b1',
        detail: '1 VM(s) parked: a',
        command:
          'factory wave retry w --batch b1 --vm a --reason "…"  |  factory wave skip w --batch b1 --vm … --reason "…"',
      },
    ]);
  });
  it('renders the held batch first, health errors with the recommended action, and a one-line summary', () => {
    const lines = renderWave(snapshot);
    expect(lines[0]).toBe('Wave w · running-batches (RUNNING) · 5 VMs in 2 batch(es)');
    const table = lines.indexOf(lines.find((l) => l.startsWith('BATCH')) ?? '');
    expect(lines[table + 1]).toMatch(/^b1 +awaiting-operator +2 +\[######-+\] +30%/);
    expect(lines).toContain('    → Check the appliance');
    expect(lines).toContain('  ! b1 [held-batch]: 1 VM(s) parked: a');
    expect(renderWave(snapshot, { width: 20 }).every((l) => l.length <= 20)).toBe(true);
    expect(summaryLine(snapshot)).toBe(
      'w running-batches | b2: pending | b1: awaiting-operator | 1 decision(s) needed',
    );
  });
});
