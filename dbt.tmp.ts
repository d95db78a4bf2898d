import { Client, Connection } from '@temporalio/client';
const client = new Client({ connection: await Connection.connect({ address: '127.0.0.1:17233' }) });
const batchId = process.argv[2]!;
const ts = (e: { eventTime?: { seconds?: unknown; nanos?: number | null } | null }) => Number(e.eventTime?.seconds ?? 0) + (e.eventTime?.nanos ?? 0) / 1e9;
const bh = await client.workflow.getHandle(`batch-${batchId}`).fetchHistory();
const t0 = ts(bh.events![0]!);
const sched = new Map<string, string>();
for (const e of bh.events ?? []) {
  const a = e.activityTaskScheduledEventAttributes; if (a) sched.set(String(e.eventId), a.activityType?.name ?? '');
  const c = e.activityTaskCompletedEventAttributes;
  const name = a?.activityType?.name ?? (c ? sched.get(String(c.scheduledEventId)) : undefined) ?? e.workflowExecutionSignaledEventAttributes?.signalName ?? (e.signalExternalWorkflowExecutionInitiatedEventAttributes ? 'signal-out' : '');
  if (name) console.log('batch', (ts(e) - t0).toFixed(1), String(e.eventType), name);
}
for await (const w of client.workflow.list({ query: `WorkflowType='migrationDatabase'` })) {
  if (!w.workflowId.includes('')) continue;
  const h = await client.workflow.getHandle(w.workflowId, w.runId).fetchHistory();
  const start = h.events?.[0]?.workflowExecutionStartedEventAttributes;
  const notify = JSON.stringify(start?.input ?? '').length;
  const input = start?.input?.payloads?.[0]?.data ? JSON.parse(Buffer.from(start.input.payloads[0].data as Uint8Array).toString()) : undefined;
  if (input?.batchId !== batchId) continue;
  const s2 = new Map<string, string>();
  const line: string[] = [];
  for (const e of h.events ?? []) {
    const a = e.activityTaskScheduledEventAttributes; if (a) s2.set(String(e.eventId), a.activityType?.name ?? '');
    const c = e.activityTaskCompletedEventAttributes ?? e.activityTaskFailedEventAttributes ?? e.activityTaskTimedOutEventAttributes ?? e.activityTaskCanceledEventAttributes;
    const st = e.activityTaskStartedEventAttributes;
    const n = a?.activityType?.name ? `sched:${a.activityType.name}` : c ? `${String(e.eventType).replace('ACTIVITY_TASK_','')}:${s2.get(String(c.scheduledEventId))}` : st ? `start:${s2.get(String(st.scheduledEventId))}` : e.workflowExecutionSignaledEventAttributes ? `sig:${e.workflowExecutionSignaledEventAttributes.signalName}` : '';
    if (n) line.push(`${(ts(e) - t0).toFixed(1)} ${n}`);
  }
  console.log(w.workflowId, void notify, '\n   ', line.slice(-12).join(' | '));
}
process.exit(0);
