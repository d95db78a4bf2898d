/**
 * Finding the workflow an operator names, and "did you mean" when it does not exist: waves from Temporal's
 * visibility (search attribute MigrationWave) and the workspace's plan, batches and databases by type.
 */
import type { WorkflowExecutionDescription, WorkflowHandle } from '@temporalio/client';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { batchIdKey, waveIdKey } from '../../contracts/search-attributes.ts';
import { loadPlan, PLAN_FILE } from '../../workspace/plan-files.ts';
import type { Temporal } from './connection.ts';
import { CliError, ExitCode } from './exit-codes.ts';
import { suggestion } from './levenshtein.ts';
import { batchWorkflowId, databaseWorkflowId, waveWorkflowId } from '../../contracts/ids.ts';

export interface ListedWorkflow {
  id: string;
  workflowId: string;
  status: string;
  phase?: string;
  startTime: Date;
  closeTime?: Date;
}

const LIST_LIMIT = 2000;

/** Workflows of one type, newest run per workflow id, with their business id. */
export async function listWorkflows(
  temporal: Temporal,
  type: 'migrationWave' | 'migrationBatch' | 'migrationDatabase',
): Promise<ListedWorkflow[]> {
  const newest = new Map<string, ListedWorkflow>();
  let seen = 0;
  for await (const info of temporal.client.workflow.list({ query: `WorkflowType = '${type}'` })) {
    const key = type === 'migrationWave' ? waveIdKey : type === 'migrationBatch' ? batchIdKey : undefined;
    const id =
      (key ? info.typedSearchAttributes.get(key) : undefined) ?? info.workflowId.replace(/^[a-z]+-/, '');
    const phase = info.searchAttributes.MigrationPhase?.[0];
    const listed: ListedWorkflow = {
      id,
      workflowId: info.workflowId,
      status: info.status.name,
      ...(typeof phase === 'string' ? { phase } : {}),
      startTime: info.startTime,
      ...(info.closeTime ? { closeTime: info.closeTime } : {}),
    };
    const known = newest.get(info.workflowId);
    if (!known || known.startTime < listed.startTime) newest.set(info.workflowId, listed);
    if (++seen >= LIST_LIMIT) break;
  }
  return [...newest.values()].sort((a, b) => a.id.localeCompare(b.id));
}

/** Wave ids of the workspace's plan, or none when there is no plan there. */
export async function plannedWaveIds(workspace: string | undefined): Promise<string[]> {
  if (!workspace || !existsSync(join(workspace, PLAN_FILE))) return [];
  const plan = await loadPlan(workspace).catch(() => undefined);
  return plan?.waves.map((w) => w.id) ?? [];
}

async function describeOrUndefined(handle: WorkflowHandle) {
  try {
    return await handle.describe();
  } catch (error) {
    if (error instanceof Error && error.name === 'WorkflowNotFoundError') return undefined;
    throw error;
  }
}

export interface FoundWorkflow {
  handle: WorkflowHandle;
  description: WorkflowExecutionDescription;
}

export async function requireWave(
  temporal: Temporal,
  waveId: string,
  workspace?: string,
): Promise<FoundWorkflow> {
  const handle = temporal.client.workflow.getHandle(waveWorkflowId(waveId));
  const description = await describeOrUndefined(handle);
  if (description) return { handle, description };
  const [started, planned] = await Promise.all([
    listWorkflows(temporal, 'migrationWave'),
    plannedWaveIds(workspace),
  ]);
  const notStarted = planned.includes(waveId)
    ? ` It is in the plan but has not been started: factory wave start ${waveId}.`
    : '';
  throw new CliError(
    `No wave ${waveId} in namespace ${temporal.namespace}.${notStarted || ` ${suggestion(waveId, [...started.map((w) => w.id), ...planned], 'waves')}`}`,
    ExitCode.notFound,
  );
}

export async function requireBatch(temporal: Temporal, batchId: string): Promise<FoundWorkflow> {
  const handle = temporal.client.workflow.getHandle(batchWorkflowId(batchId));
  const description = await describeOrUndefined(handle);
  if (description) return { handle, description };
  const known = (await listWorkflows(temporal, 'migrationBatch')).map((b) => b.id);
  throw new CliError(
    `No batch ${batchId} in namespace ${temporal.namespace}. ${suggestion(batchId, known, 'batches')}`,
    ExitCode.notFound,
  );
}

export async function requireDatabase(temporal: Temporal, databaseId: string): Promise<FoundWorkflow> {
  const handle = temporal.client.workflow.getHandle(databaseWorkflowId(databaseId));
  const description = await describeOrUndefined(handle);
  if (description) return { handle, description };
  const known = (await listWorkflows(temporal, 'migrationDatabase')).map((d) => d.id);
  throw new CliError(
    `No database ${databaseId} in namespace ${temporal.namespace}. ${suggestion(databaseId, known, 'databases')}`,
    ExitCode.notFound,
  );
}

/** A batch the wave runs; an unknown one gets the wave's batch ids. */
export function requireBatchOfWave(waveId: string, batchIds: string[], batchId: string): void {
  if (batchIds.includes(batchId)) return;
  throw new CliError(
    `Wave ${waveId} has no batch ${batchId}. ${suggestion(batchId, batchIds, `batches in wave ${waveId}`)}`,
    ExitCode.notFound,
  );
}
