/**
 * `factory-audit`: keeps every refused operator action, in order, for `GET /api/waves/{id}/audit` and
 * `factory audit`. Signals append; the query filters. Past a number of signals (or when Temporal suggests
 * it) the workflow continues as new carrying the most recent records, so its history stays small; older
 * records stay in the earlier runs' histories.
 */
import { condition, continueAsNew, setHandler, workflowInfo } from '@temporalio/workflow';
import {
  actionRefusedSignal,
  cappedRefusal,
  refusedActionsQuery,
  type RefusedAction,
} from '../contracts/refusal-audit.ts';

/** Signals per run before continuing as new. */
const SIGNALS_PER_RUN = 1000;
/** Records carried into the next run (and answered by the query). */
const RETAINED = 5000;

export async function factoryRefusalAudit(carried: RefusedAction[] = []): Promise<void> {
  const records = carried.slice(-RETAINED);
  let received = 0;
  setHandler(actionRefusedSignal, (record) => {
    records.push(cappedRefusal(record));
    if (records.length > RETAINED) records.splice(0, records.length - RETAINED);
    received += 1;
  });
  setHandler(refusedActionsQuery, (filter) =>
    records.filter(
      (r) =>
        (filter?.waveId === undefined || r.waveId === filter.waveId) &&
        (filter?.databaseId === undefined || r.databaseId === filter.databaseId),
    ),
  );
  await condition(() => received >= SIGNALS_PER_RUN || workflowInfo().continueAsNewSuggested);
  await continueAsNew<typeof factoryRefusalAudit>(records);
}
