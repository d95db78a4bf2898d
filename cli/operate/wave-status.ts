/**
 * `factory wave status <waveId> [--watch] [--json]`. Once: the view (or JSON). Watching on a terminal:
 * the view redrawn in place with ANSI cursor movement; watching into a pipe or file: one plain line per
 * change. Watching ends when the wave's workflow closes.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { withTemporal, type ConnectionFlags } from './connection.ts';
import { requireWave } from './find-workflow.ts';
import { EtaTracker, fitWidth } from './progress-format.ts';
import { waveSnapshot } from './wave-snapshot.ts';
import { renderWave, summaryLine, type WaveSnapshot } from './wave-view.ts';
import { serverClient } from '../server-client.ts';
import { resolveWorkspace } from './workspace-folder.ts';

export interface WaveStatusFlags extends ConnectionFlags {
  workspace?: string;
  watch?: boolean;
  json?: boolean;
  /** Seconds between refreshes while watching. */
  interval: number;
}

export interface Output {
  write(text: string): void;
  isTTY: boolean;
  columns: number;
  rows: number;
}

export const stdoutOutput = (): Output => ({
  write: (text) => process.stdout.write(text),
  isTTY: process.stdout.isTTY === true,
  columns: process.stdout.columns || 120,
  rows: process.stdout.rows || 40,
});

/** Where snapshots come from: Temporal directly, or the factory server. */
interface SnapshotSource {
  snapshot(eta: EtaTracker | undefined): Promise<WaveSnapshot>;
  /** Whether the wave closed since the last snapshot (a cheap check, to show its final state at once). */
  closed(): Promise<boolean>;
}

export async function runWaveStatus(waveId: string, flags: WaveStatusFlags, out: Output = stdoutOutput()) {
  const server = serverClient();
  if (server) {
    await show(
      {
        snapshot: async (eta) => withEta(await server.waveStatus(waveId), eta),
        // The next snapshot tells; asking the server in between would cost a whole snapshot.
        closed: () => Promise.resolve(false),
      },
      flags,
      out,
    );
    return;
  }
  await withTemporal(flags, async (temporal) => {
    const { handle } = await requireWave(temporal, waveId, resolveWorkspace(flags.workspace));
    await show(
      { snapshot: (eta) => waveSnapshot(temporal, handle, eta), closed: () => closed(handle) },
      flags,
      out,
    );
  });
}

async function show(source: SnapshotSource, flags: WaveStatusFlags, out: Output) {
  if (flags.watch) return watch(source, flags, out);
  const snapshot = await source.snapshot(undefined);
  out.write(
    flags.json
      ? `${JSON.stringify(snapshot, null, 2)}\n`
      : `${renderWave(snapshot, { links: true }).join('\n')}\n`,
  );
}

/** ETAs from the replication progress this watcher has seen (the server's snapshots carry none). */
function withEta(snapshot: WaveSnapshot, eta: EtaTracker | undefined): WaveSnapshot {
  if (!eta) return snapshot;
  const now = Date.parse(snapshot.takenAt);
  const batches = snapshot.batches.map((view) => {
    const etaSeconds =
      view.replicationPercent === undefined
        ? undefined
        : eta.observe(view.batchId, view.replicationPercent, now);
    return etaSeconds === undefined ? view : { ...view, etaSeconds };
  });
  return { ...snapshot, batches };
}

const closed = async (handle: WorkflowHandle) => (await handle.describe()).status.name !== 'RUNNING';

async function watch(source: SnapshotSource, flags: WaveStatusFlags, out: Output) {
  const eta = new EtaTracker();
  let drawnLines = 0;
  let lastLine = '';
  let stop = false;
  const onSignal = () => (stop = true);
  process.once('SIGINT', onSignal);
  try {
    for (;;) {
      const snapshot = await source.snapshot(eta);
      if (flags.json) out.write(`${JSON.stringify(snapshot)}\n`);
      else if (out.isTTY) {
        const lines = renderWave(snapshot, {
          width: out.columns,
          maxBatchRows: Math.max(5, out.rows - 16),
          maxHealthErrors: 5,
        });
        lines.push(
          '',
          fitWidth(
            `Refreshed ${snapshot.takenAt.slice(11, 19)} UTC every ${flags.interval} s · Ctrl-C to stop`,
            out.columns,
          ),
        );
        // Up to the first line drawn last time, clear to the end of the screen, draw again.
        out.write(`${drawnLines > 0 ? `\x1b[${drawnLines}F` : ''}\x1b[0J${lines.join('\n')}\n`);
        drawnLines = lines.length;
      } else {
        const line = summaryLine(snapshot);
        if (line !== lastLine) out.write(`[${snapshot.takenAt.slice(11, 19)}] ${line}\n`);
        lastLine = line;
      }
      if (stop || snapshot.status !== 'RUNNING') return;
      // Closed since this snapshot was taken: go round once more to show the final state.
      if (await source.closed()) continue;
      await new Promise((resolve) => setTimeout(resolve, flags.interval * 1000));
      if (stop) return;
    }
  } finally {
    process.off('SIGINT', onSignal);
  }
}
