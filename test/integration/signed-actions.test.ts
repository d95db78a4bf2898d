import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  approveWaveUpdate,
  batchProgressQuery,
  cutoverDatabaseNowUpdate,
  databaseCutoverSignal,
  databaseProgressQuery,
  openCutoverUpdate,
  pauseUpdate,
  resumeUpdate,
  rollbackUpdate,
  skipUpdate,
  waveProgressQuery,
  type OperatorAction,
} from '../../contracts/messages.ts';
import { generateStampKeyPair } from '../../contracts/operator-stamp.ts';
import { ErrorType } from '../../contracts/errors.ts';
import { batchWorkflowId } from '../../contracts/ids.ts';
import { demoDatabases, demoScope } from '../../domain/demo.ts';
import type { RunningWorkers } from '../../workers/run.ts';
import {
  demoBatchSettings,
  refusal,
  stamped,
  startBatch,
  startDatabase,
  startDemoWave,
  startHarness,
  startInProcessWorkers,
  testIdentities,
  trustedTestStampKeys,
  waitFor,
  type Harness,
} from './harness.ts';

const { viewer, operator, approver, lead } = testIdentities;
const why = { reason: 'signed-actions integration test' };

describe('signed operator actions (workflows started with trusted stamp keys, real Temporal)', () => {
  let harness: Harness;
  let workers: RunningWorkers;
  beforeAll(async () => {
    harness = await startHarness('stamps', { speed: 2000 });
    workers = await startInProcessWorkers(harness);
  });
  afterAll(async () => {
    await workers?.shutdown();
    await harness?.close();
  });

  it('a batch refuses unsigned, forged, replayed, misdirected, expired and under-privileged updates', async () => {
    const start = new Date(Date.now() + 3600_000).toISOString();
    const end = new Date(Date.now() + 7200_000).toISOString();
    const handle = await startBatch(
      harness,
      'stamps-batch',
      ['payroll-web-04'],
      { cutoverWindow: { start, end } },
      undefined,
      { trustedStampKeys: trustedTestStampKeys },
    );
    const id = handle.workflowId;
    const pause = (action: OperatorAction) => handle.executeUpdate(pauseUpdate, { args: [action] });

    expect(await refusal(pause({ by: operator.name, ...why }))).toMatch(/carries no signed stamp/);
    const forger = generateStampKeyPair();
    expect(
      await refusal(pause(stamped('pause', id, why, operator, { privateKey: forger.privateKey }))),
    ).toMatch(/does not match this action/);
    expect(await refusal(pause({ ...stamped('pause', id, why, operator), reason: 'other' }))).toMatch(
      /does not match this action/,
    );
    expect(await refusal(pause(stamped('pause', 'batch-elsewhere', why, operator)))).toMatch(
      /does not match this action/,
    );
    expect(await refusal(pause(stamped('resume', id, why, operator)))).toMatch(/does not match this action/);
    const eleven = new Date(Date.now() - 11 * 60_000).toISOString();
    expect(await refusal(pause(stamped('pause', id, why, operator, { issuedAt: eleven })))).toMatch(
      /expired/,
    );
    expect(await refusal(pause({ ...stamped('pause', id, why, operator), by: lead.name }))).toMatch(
      /does not match|is not the signed identity/,
    );
    expect(await refusal(pause(stamped('pause', id, why, viewer)))).toMatch(
      /pause: it needs the operator role; victor@contoso.com has viewer/,
    );
    // Forcing the cutover outside the window, and rolling back, are a lead's decisions.
    expect(
      await refusal(
        handle.executeUpdate(openCutoverUpdate, {
          args: [stamped('openCutover', id, { ...why, force: true }, operator)],
        }),
      ),
    ).toMatch(/openCutover: it needs the lead role/);
    expect(
      await refusal(handle.executeUpdate(rollbackUpdate, { args: [stamped('rollback', id, why, operator)] })),
    ).toMatch(/rollback: it needs the lead role/);
    // Limits hold for signed actions too.
    const tooMany = Array.from({ length: 1001 }, (_, i) => `vm-${i}`);
    expect(
      await refusal(
        handle.executeUpdate(skipUpdate, {
          args: [stamped('skip', id, { ...why, vmNames: tooMany }, operator)],
        }),
      ),
    ).toMatch(/at most 1000 per action/);

    expect(await pause(stamped('pause', id, why, operator))).toMatch(/pauses after its current step/);
    expect((await handle.query(batchProgressQuery)).paused).toBe(true);
    await handle.executeUpdate(resumeUpdate, { args: [stamped('resume', id, why, operator)] });
    await handle.executeUpdate(rollbackUpdate, { args: [stamped('rollback', id, why, lead)] });
    const result = await handle.result();
    expect(result.phase).toBe('rolled-back');
  });

  it('a wave started with keys refuses to start without a signed start', async () => {
    const wave = await startDemoWave(
      harness.client,
      'stamps-unsigned',
      { ...demoBatchSettings, azureTaskQueue: harness.azureTaskQueue },
      harness.taskQueue,
      { trustedStampKeys: trustedTestStampKeys, requireApproval: true },
    );
    const error = await wave.result().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const cause = (error as WorkflowFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect((cause as ApplicationFailure).type).toBe(ErrorType.waveStartRefused);
    expect((cause as ApplicationFailure).message).toMatch(/no signed stamp/);
  });

  it('a database cuts over outside its window only on a lead’s forced update, not on a bare signal', async () => {
    const demo = demoDatabases(demoScope).find((db) => db.spec.id === 'payroll-db-01.payroll')!;
    const spec = { ...demo.spec, id: 'stamps.payroll-db-01.payroll' };
    // The window is tomorrow: now is outside it.
    const window = {
      start: new Date(Date.now() + 86_400_000).toISOString(),
      end: new Date(Date.now() + 90_000_000).toISOString(),
    };
    const handle = await startDatabase(harness, spec, {
      notifyWorkflowId: 'batch-stamps-not-running',
      extra: { trustedStampKeys: trustedTestStampKeys, cutoverWindow: window },
    });
    const id = handle.workflowId;
    await waitFor('database ready for cutover', async () =>
      (await handle.query(databaseProgressQuery)).phase === 'ready-for-cutover' ? true : undefined,
    );
    // Anyone with Temporal access can signal: outside the window the bare signal is refused.
    await handle.signal(databaseCutoverSignal, { by: 'batch-stamps', reason: 'pretend the window opened' });
    const refused = await waitFor('the signal refused', async () => {
      const progress = await handle.query(databaseProgressQuery);
      return progress.lastError?.code === 'CutoverSignalRefused' ? progress : undefined;
    });
    expect(refused.lastError?.message).toMatch(/outside the planned window .* needs a lead/);
    expect(refused).toMatchObject({ phase: 'ready-for-cutover', cutoverCompleted: false });

    const cutover = (action: OperatorAction & { force?: boolean }) =>
      handle.executeUpdate(cutoverDatabaseNowUpdate, { args: [action] });
    expect(
      await refusal(cutover(stamped('cutoverDatabaseNow', id, { ...why, force: true }, operator))),
    ).toMatch(/cutoverDatabaseNow: it needs the lead role/);
    expect(await refusal(cutover(stamped('cutoverDatabaseNow', id, why, lead)))).toMatch(
      /outside the cutover window .* pass force/,
    );
    await cutover(stamped('cutoverDatabaseNow', id, { ...why, force: true }, lead));
    const result = await handle.result();
    expect(result.outcome).toBe('migrated');
    expect(result.reason).toMatch(/Cut over by leo@contoso.com/);
  });

  it("a lead's forced cutover of a batch reaches its database as a signed authorization outside the window", async () => {
    // The other demo database (MySQL through classic DMS): each test migrates its own target database.
    const demo = demoDatabases(demoScope).find((db) => db.spec.id === 'crm-db-01.crm')!;
    const spec = { ...demo.spec, id: 'stamps-forced.crm-db-01.crm' };
    const window = {
      start: new Date(Date.now() + 86_400_000).toISOString(),
      end: new Date(Date.now() + 90_000_000).toISOString(),
    };
    const batchId = 'stamps-forced';
    const keys = { trustedStampKeys: trustedTestStampKeys };
    const database = await startDatabase(harness, spec, {
      notifyWorkflowId: batchWorkflowId(batchId),
      extra: { ...keys, cutoverWindow: window },
    });
    const batch = await startBatch(
      harness,
      batchId,
      ['payroll-app-02'],
      { cutoverWindow: window },
      undefined,
      { ...keys, databases: [{ databaseId: spec.id, workflowId: database.workflowId }] },
    );
    await waitFor('the batch waiting for its window', async () =>
      (await batch.query(batchProgressQuery)).phase === 'awaiting-cutover-window' ? true : undefined,
    );
    const force = { ...why, force: true };
    expect(
      await refusal(
        batch.executeUpdate(openCutoverUpdate, {
          args: [stamped('openCutover', batch.workflowId, force, operator)],
        }),
      ),
    ).toMatch(/needs the lead role/);
    await batch.executeUpdate(openCutoverUpdate, {
      args: [stamped('openCutover', batch.workflowId, force, lead)],
    });
    // A database that refused the signal would hold the batch (awaiting-operator) instead.
    const progress = await waitFor('the batch past its cutover', async () => {
      const p = await batch.query(batchProgressQuery);
      return p.phase === 'completed' || p.phase === 'awaiting-operator' ? p : undefined;
    });
    expect(progress).toMatchObject({ phase: 'completed' });
    const result = await batch.result();
    expect(result.vms.map((vm) => vm.outcome)).toEqual(['migrated']);
    const db = await database.result();
    expect(db.outcome).toBe('migrated');
    expect(db.reason).toMatch(/Cut over by batch stamps-forced/);
  });

  // Last: once approved, the wave starts the demo's batches and databases, which the other tests must not meet.
  it('the starter of a wave cannot approve it; another approver can', async () => {
    const starter = { ...operator, roles: [...operator.roles, 'approver' as const] };
    const wave = await startDemoWave(
      harness.client,
      'stamps-approval',
      { ...demoBatchSettings, azureTaskQueue: harness.azureTaskQueue },
      harness.taskQueue,
      { trustedStampKeys: trustedTestStampKeys, startedBy: starter, requireApproval: true },
    );
    try {
      const id = wave.workflowId;
      await waitFor('the wave awaiting its approval', async () =>
        (await wave.query(waveProgressQuery)).phase === 'awaiting-approval' ? true : undefined,
      );
      const approve = (action: OperatorAction) => wave.executeUpdate(approveWaveUpdate, { args: [action] });
      expect(await refusal(approve(stamped('approveWave', id, why, starter)))).toMatch(
        /olivia@contoso.com started wave stamps-approval; another approver must approve it/,
      );
      expect(await refusal(approve(stamped('approveWave', id, why, operator)))).toMatch(
        /it needs the approver role/,
      );
      expect(await approve(stamped('approveWave', id, why, approver))).toMatch(
        /approved by april@contoso.com/,
      );
      expect((await wave.query(waveProgressQuery)).approval?.by).toBe(approver.name);
    } finally {
      await wave.terminate('test done');
    }
  });
});
