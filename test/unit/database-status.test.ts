import { describe, expect, it } from 'vitest';
import {
  classicTaskStatus,
  migrationFingerprint,
  sqlMigrationStatus,
} from '../../activities/database-status.ts';

const sql = (properties: Record<string, unknown>) => ({ properties });

describe('reading migration states from Azure', () => {
  it('maps the SQL migration API status and details', () => {
    expect(
      sqlMigrationStatus(sql({ provisioningState: 'Provisioning', migrationStatus: 'InProgress' })),
    ).toEqual({
      state: 'starting',
      migrationStatus: 'InProgress',
    });
    const restoringLogs = sqlMigrationStatus(
      sql({
        provisioningState: 'Succeeded',
        migrationStatus: 'Restoring',
        migrationOperationId: 'op-1',
        migrationStatusDetails: {
          isFullBackupRestored: true,
          pendingLogBackupsCount: 3,
          restoreBlockingReason: 'scale the target up',
          fullBackupSetInfo: { listOfBackupFiles: [{ totalSize: 200, dataWritten: 200 }] },
        },
      }),
    );
    expect(restoringLogs).toEqual({
      state: 'catching-up',
      migrationStatus: 'Restoring',
      migrationOperationId: 'op-1',
      copiedPercent: 100,
      fullBackupRestored: true,
      pendingLogBackups: 3,
      blockingReason: 'scale the target up',
    });
    expect(sqlMigrationStatus(sql({ migrationStatus: 'ReadyForCutover' })).state).toBe('ready');
    expect(
      sqlMigrationStatus(
        sql({
          migrationStatus: 'Failed',
          migrationFailureError: { code: 'CutoverFailed', message: 'tail log' },
        }),
      ),
    ).toMatchObject({ state: 'failed', errorCode: 'CutoverFailed', errorMessage: 'tail log' });
    expect(sqlMigrationStatus(sql({ migrationStatus: 'SomethingNew' })).state).toBe('copying');
  });

  it('counts copied tables of a SQL Database migration', () => {
    const status = sqlMigrationStatus(
      sql({
        provisioningState: 'Succeeded',
        migrationStatus: 'InProgress',
        migrationStatusDetails: {
          listOfCopyProgressDetails: [
            { status: 'Succeeded' },
            { status: 'InProgress' },
            { status: 'Succeeded' },
            { status: 'InProgress' },
          ],
        },
      }),
    );
    expect(status).toMatchObject({ state: 'copying', copiedPercent: 50 });
  });

  it('maps a classic sync task database, its backlog and its errors', () => {
    const task = (migrationState: string, extra: Record<string, unknown> = {}) => ({
      properties: {
        state: 'Running',
        errors: [],
        output: [
          { resultType: 'MigrationLevelOutput' },
          {
            resultType: 'DatabaseLevelOutput',
            databaseName: 'wiki',
            migrationState,
            fullLoadCompletedTables: 3,
            fullLoadLoadingTables: 0,
            fullLoadQueuedTables: 0,
            fullLoadErroredTables: 0,
            incomingChanges: 120,
            appliedChanges: 100,
            latency: 4,
            ...extra,
          },
        ],
      },
    });
    expect(classicTaskStatus('t', task('RUNNING'), 'WIKI')).toEqual({
      state: 'catching-up',
      migrationStatus: 'RUNNING',
      migrationOperationId: 't',
      copiedPercent: 100,
      pendingChanges: 20,
      latencySeconds: 4,
    });
    expect(classicTaskStatus('t', task('RUNNING', { fullLoadQueuedTables: 1 }), 'wiki').state).toBe(
      'copying',
    );
    expect(classicTaskStatus('t', task('READY_TO_COMPLETE'), 'wiki').state).toBe('ready');
    const failed = task('FAILED');
    failed.properties.output.push({
      resultType: 'DatabaseLevelErrorOutput',
      errorMessage: 'CutoverFailed: tail log',
    } as never);
    expect(classicTaskStatus('t', failed, 'wiki')).toMatchObject({
      state: 'failed',
      errorCode: 'CutoverFailed',
      errorMessage: 'tail log',
    });
    expect(
      classicTaskStatus(
        't',
        { properties: { state: 'FailedInputValidation', errors: [{ code: 'Bad', message: 'no' }] } },
        'wiki',
      ),
    ).toMatchObject({ state: 'failed', errorCode: 'Bad', migrationStatus: 'FailedInputValidation' });
  });

  it('fingerprints what the workflow acts on, not copy progress', () => {
    const base = { state: 'copying' as const, migrationStatus: 'UploadingFullBackup' };
    expect(migrationFingerprint({ ...base, copiedPercent: 1 })).toBe(
      migrationFingerprint({ ...base, copiedPercent: 99 }),
    );
    expect(migrationFingerprint({ ...base, pendingLogBackups: 1 })).toBe(
      migrationFingerprint({ ...base, pendingLogBackups: 9 }),
    );
    expect(migrationFingerprint(base)).not.toBe(
      migrationFingerprint({ ...base, migrationStatus: 'RestoringFullBackup' }),
    );
    expect(migrationFingerprint(base)).not.toBe(
      migrationFingerprint({ ...base, state: 'ready', migrationStatus: 'ReadyForCutover' }),
    );
  });
});
