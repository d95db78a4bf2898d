/** `factory wave list`: started waves (Temporal visibility) and the plan's waves not started yet. */
import { loadPlan } from '../../workspace/plan-files.ts';
import { withTemporal, type ConnectionFlags, type Temporal } from './connection.ts';
import { listWorkflows, plannedWaveIds } from './find-workflow.ts';
import { resolveWorkspace } from './workspace-folder.ts';
import { waveWorkflowId } from '../../contracts/ids.ts';
import { serverClient } from '../server-client.ts';

export interface WaveListEntry {
  waveId: string;
  workflowId: string;
  /** Temporal's execution status, or NOT_STARTED for a planned wave. */
  status: string;
  phase?: string;
  startTime?: string;
  closeTime?: string;
  /** VMs in the plan, when the workspace has one. */
  plannedVms?: number;
  url: string;
}

/** Started waves and the workspace plan's waves not started yet, by wave id (CLI and factory server). */
export async function waveListEntries(temporal: Temporal, workspace: string): Promise<WaveListEntry[]> {
  const [started, plannedIds] = await Promise.all([
    listWorkflows(temporal, 'migrationWave'),
    plannedWaveIds(workspace),
  ]);
  const plan = plannedIds.length > 0 ? await loadPlan(workspace) : undefined;
  const vmsOf = (waveId: string) =>
    plan?.waves
      .find((w) => w.id === waveId)
      ?.batches.reduce((sum, b) => sum + b.bootGroups.reduce((s, g) => s + g.servers.length, 0), 0);
  const entries: WaveListEntry[] = started.map((w) => {
    const plannedVms = vmsOf(w.id);
    return {
      waveId: w.id,
      workflowId: w.workflowId,
      status: w.status,
      ...(w.phase ? { phase: w.phase } : {}),
      startTime: w.startTime.toISOString(),
      ...(w.closeTime ? { closeTime: w.closeTime.toISOString() } : {}),
      ...(plannedVms === undefined ? {} : { plannedVms }),
      url: temporal.workflowUrl(w.workflowId),
    };
  });
  for (const waveId of plannedIds.filter((id) => !started.some((w) => w.id === id))) {
    const plannedVms = vmsOf(waveId);
    entries.push({
      waveId,
      workflowId: waveWorkflowId(waveId),
      status: 'NOT_STARTED',
      ...(plannedVms === undefined ? {} : { plannedVms }),
      url: temporal.workflowUrl(waveWorkflowId(waveId)),
    });
  }
  return entries.sort((a, b) => a.waveId.localeCompare(b.waveId));
}

export async function runWaveList(
  flags: ConnectionFlags & { workspace?: string; json?: boolean },
  print: (line: string) => void,
) {
  const server = serverClient();
  if (server) {
    const { namespace, waves } = await server.listWaves();
    printWaveList(namespace, waves, flags.json, print, `No waves in namespace ${namespace} (${server.url}).`);
    return;
  }
  const workspace = resolveWorkspace(flags.workspace);
  await withTemporal(flags, async (temporal) => {
    const entries = await waveListEntries(temporal, workspace);
    const none = `No waves in namespace ${temporal.namespace}, and no plan in ${workspace}.`;
    printWaveList(temporal.namespace, entries, flags.json, print, none);
  });
}

function printWaveList(
  namespace: string,
  entries: WaveListEntry[],
  json: boolean | undefined,
  print: (line: string) => void,
  none: string,
) {
  if (json) {
    print(JSON.stringify({ namespace, waves: entries }, null, 2));
    return;
  }
  if (entries.length === 0) {
    print(none);
    return;
  }
  print(
    `${'WAVE'.padEnd(16)} ${'STATUS'.padEnd(12)} ${'PHASE'.padEnd(18)} ${'VMS'.padStart(5)}  ${'STARTED'.padEnd(20)} WEB UI`,
  );
  for (const e of entries)
    print(
      `${e.waveId.padEnd(16)} ${e.status.padEnd(12)} ${(e.phase ?? '').padEnd(18)} ${String(e.plannedVms ?? '').padStart(5)}  ${(e.startTime?.slice(0, 19).replace('T', ' ') ?? '').padEnd(20)} ${e.status === 'NOT_STARTED' ? '' : e.url}`.trimEnd(),
    );
}
