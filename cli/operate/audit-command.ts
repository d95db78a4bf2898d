/** `factory audit <waveId> [--json]`: who did what and when, with reasons and tickets, oldest first. */
import { withTemporal, type ConnectionFlags } from './connection.ts';
import { requireWave } from './find-workflow.ts';
import { refusalEntries, refusedActions, waveAudit, type AuditEntry } from './audit-history.ts';
import { resolveWorkspace } from './workspace-folder.ts';
import { serverClient } from '../server-client.ts';

export function formatAuditEntry(entry: AuditEntry): string[] {
  const details = Object.entries(entry.details)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  const who = `${entry.by ?? entry.identity ?? 'unknown'}${entry.ticket ? ` [${entry.ticket}]` : ''}`;
  const lines = [
    `${entry.at.slice(0, 19).replace('T', ' ')}Z  ${entry.workflowId.padEnd(26)} ${entry.action.padEnd(18)} ${who}: ${entry.reason ?? ''}${details ? `  (${details})` : ''}`,
  ];
  if (entry.outcome === 'failed') lines.push(`    ✗ failed: ${entry.result ?? ''}`);
  else if (entry.outcome === 'refused') lines.push(`    ✗ refused: ${entry.result ?? ''}`);
  else if (entry.result) lines.push(`    → ${entry.result}`);
  return lines;
}

export async function runAudit(
  waveId: string,
  flags: ConnectionFlags & { workspace?: string; json?: boolean },
  print: (line: string) => void,
) {
  const server = serverClient();
  if (server) {
    const audit = await server.waveAudit(waveId);
    printAudit(waveId, audit.workflowId, audit.entries, flags.json, print);
    return;
  }
  await withTemporal(flags, async (temporal) => {
    const { handle } = await requireWave(temporal, waveId, resolveWorkspace(flags.workspace));
    // Accepted actions from the histories, refused ones from the factory server's refusal audit.
    const entries = [
      ...(await waveAudit(temporal, handle.workflowId)),
      ...refusalEntries(await refusedActions(temporal, { waveId }), handle.workflowId),
    ].sort((a, b) => a.at.localeCompare(b.at));
    printAudit(waveId, handle.workflowId, entries, flags.json, print);
  });
}

function printAudit(
  waveId: string,
  workflowId: string,
  entries: AuditEntry[],
  json: boolean | undefined,
  print: (line: string) => void,
) {
  if (json) {
    print(JSON.stringify({ waveId, workflowId, entries }, null, 2));
    return;
  }
  if (entries.length === 0) print(`No operator actions recorded for wave ${waveId}.`);
  for (const entry of entries) for (const line of formatAuditEntry(entry)) print(line);
}
