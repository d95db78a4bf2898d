/** `factory batch status <batchId>` and `factory db status <dbId>`: one workflow's query, as text or JSON. */
import {
  batchProgressQuery,
  databaseProgressQuery,
  type BatchProgress,
  type DatabaseProgress,
} from '../../contracts/messages.ts';
import { serverClient } from '../server-client.ts';
import { withTemporal, type ConnectionFlags } from './connection.ts';
import { requireBatch, requireDatabase } from './find-workflow.ts';
import { formatDuration, progressBar } from './progress-format.ts';

type ReadFlags = ConnectionFlags & { json?: boolean };

export async function runBatchStatus(batchId: string, flags: ReadFlags, print: (line: string) => void) {
  const server = serverClient();
  if (server) {
    const batch = await server.batchStatus(batchId);
    if (flags.json) print(JSON.stringify(batch, null, 2));
    else for (const line of renderBatch(batch, batch.status, batch.url)) print(line);
    return;
  }
  await withTemporal(flags, async (temporal) => {
    const { handle, description } = await requireBatch(temporal, batchId);
    const progress = await handle.query(batchProgressQuery);
    const url = temporal.workflowUrl(handle.workflowId);
    if (flags.json) {
      print(
        JSON.stringify(
          { ...progress, workflowId: handle.workflowId, status: description.status.name, url },
          null,
          2,
        ),
      );
      return;
    }
    for (const line of renderBatch(progress, description.status.name, url)) print(line);
  });
}

export function renderBatch(progress: BatchProgress, status: string, url: string): string[] {
  const counts = Object.entries(progress.counts)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
  const lines = [
    `Batch ${progress.batchId} · ${progress.phase}${progress.paused ? ' (paused)' : ''} (${status}) · ${progress.vms.length} VMs: ${counts}`,
  ];
  if (progress.detail) lines.push(`  ${progress.detail}`);
  if (progress.cutoverAt) lines.push(`  Cutover opens ${progress.cutoverAt}`);
  lines.push(`  ${url}`, '');
  lines.push(
    `${'VM'.padEnd(32)} ${'DISPOSITION'.padEnd(12)} ${'STATE'.padEnd(13)} ${'REPLICATION'.padEnd(27)} RPO`,
  );
  for (const vm of progress.vms) {
    const rpo = vm.rpoSeconds === undefined ? '' : formatDuration(vm.rpoSeconds);
    lines.push(
      `${vm.name.padEnd(32)} ${vm.disposition.padEnd(12)} ${vm.state.padEnd(13)} ${progressBar(vm.initialReplicationPercent).padEnd(27)} ${rpo}`.trimEnd(),
    );
    if (vm.reason) lines.push(`    ${vm.errorCode ? `${vm.errorCode}: ` : ''}${vm.reason}`);
    for (const e of vm.healthErrors) {
      lines.push(`    health ${e.code}: ${e.message}`);
      if (e.recommendedAction) lines.push(`      → ${e.recommendedAction}`);
    }
  }
  for (const check of progress.validation ?? [])
    lines.push(`  check ${check.name}: ${check.ok ? 'ok' : 'FAILED'} ${check.detail}`);
  return lines;
}

export async function runDatabaseStatus(databaseId: string, flags: ReadFlags, print: (line: string) => void) {
  const server = serverClient();
  if (server) {
    const database = await server.databaseStatus(databaseId);
    if (flags.json) print(JSON.stringify(database, null, 2));
    else for (const line of renderDatabase(database, database.status, database.url)) print(line);
    return;
  }
  await withTemporal(flags, async (temporal) => {
    const { handle, description } = await requireDatabase(temporal, databaseId);
    const p = await handle.query(databaseProgressQuery);
    const url = temporal.workflowUrl(handle.workflowId);
    if (flags.json) {
      print(
        JSON.stringify(
          { ...p, workflowId: handle.workflowId, status: description.status.name, url },
          null,
          2,
        ),
      );
      return;
    }
    for (const line of renderDatabase(p, description.status.name, url)) print(line);
  });
}

export function renderDatabase(p: DatabaseProgress, status: string, url: string): string[] {
  const lines: string[] = [];
  const print = (line: string) => lines.push(line);
  print(
    `Database ${p.databaseId} (${p.engine} ${p.name}, ${p.mode}, application ${p.application}) · ${p.phase} (${status})`,
  );
  if (p.detail) print(`  ${p.detail}`);
  if (p.migration) {
    const m = p.migration;
    print(
      `  Azure: ${m.migrationStatus}${m.copiedPercent === undefined ? '' : ` · copy ${progressBar(m.copiedPercent)}`}`,
    );
    if (m.pendingLogBackups !== undefined) print(`  ${m.pendingLogBackups} log backup(s) pending`);
    if (m.pendingChanges !== undefined)
      print(
        `  ${m.pendingChanges} change(s) pending${m.latencySeconds === undefined ? '' : `, ${formatDuration(m.latencySeconds)} behind`}`,
      );
    if (m.blockingReason) print(`  Blocked: ${m.blockingReason}`);
  }
  if (p.cutoverRequest)
    print(
      `  Cutover requested by ${p.cutoverRequest.by} at ${p.cutoverRequest.at}: ${p.cutoverRequest.reason}`,
    );
  if (p.lastError) print(`  Last error ${p.lastError.code}: ${p.lastError.message}`);
  if (p.outcome) print(`  Outcome: ${p.outcome}`);
  print(`  ${url}`);
  return lines;
}
