/**
 * `factory wave status <waveId> [--watch] [--json]`. Once: the view (or JSON). Watching on a terminal:
 * the view redrawn in place with ANSI cursor movement; watching into a pipe or file: one plain line per
 * change. Watching ends when the wave's workflow closes.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { withTemporal, type ConnectionFlags, type Temporal } from './connection.ts';
import { requireWave } from './find-workflow.ts';
import { EtaTracker, fitWidth } from './progress-format.ts';
import { waveSnapshot } from './wave-snapshot.ts';
import { renderWave, summaryLine } from './wave-view.ts';
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

export async function runWaveStatus(waveId: string, flags: WaveStatusFlags, out: Output = stdoutOutput()) {
  await withTemporal(flags, async (temporal) => {
    const { handle } = await requireWave(temporal, waveId, resolveWorkspace(flags.workspace));
    if (!flags.watch) {
      const snapshot = await waveSnapshot(temporal, handle);
      out.write(
        flags.json
          ? `${JSON.stringify(snapshot, null, 2)}\n`
          : `${renderWave(snapshot, { links: true }).join('\n')}\n`,
      );
      return;
    }
    await watch(temporal, handle, flags, out);
  });
}

const closed = async (handle: WorkflowHandle) => (await handle.describe()).status.name !== 'RUNNING';

async function watch(temporal: Temporal, handle: WorkflowHandle, flags: WaveStatusFlags, out: Output) {
  const eta = new EtaTracker();
  let drawnLines = 0;
  let lastLine = '';
  let stop = false;
  const onSignal = () => (stop = true);
  process.once('SIGINT', onSignal);
  try {
    for (;;) {
      const snapshot = await waveSnapshot(temporal, handle, eta);
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
      if (await closed(handle)) continue;
      await new Promise((resolve) => setTimeout(resolve, flags.interval * 1000));
      if (stop) return;
    }
  } finally {
    process.off('SIGINT', onSignal);
  }
}
