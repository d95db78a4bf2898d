/**
 * Secrets from Key Vault references (the simulator's Key Vault, through @azure/keyvault-secrets): a missing
 * or empty secret stops the worker at start-up naming the reference; a value where a reference belongs is
 * refused; a database migrates with the resolved logins and none of them is in its history; a trust opt-in
 * is logged; a source server whose certificate does not chain to its configured CA is held with that error.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeHistoryPayloads } from '../../workers/payload-codec.ts';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { demoDatabases, demoScope } from '../../domain/demo.ts';
import type { DatabaseSpec } from '../../domain/migration.ts';
import {
  databaseCutoverSignal,
  databaseProgressQuery,
  type DatabaseProgress,
} from '../../contracts/messages.ts';
import { ErrorType } from '../../contracts/errors.ts';
import { ensureTlsMaterial } from '../../simulators/certificates.ts';
import { loadWorkerConfig } from '../../workers/config.ts';
import { startWorkers, type RunningWorkers } from '../../workers/run.ts';
import { databaseTlsServer, type DatabaseTlsServer } from './database-tls-server.ts';
import { startDatabase, startHarness, waitFor, type Harness } from './harness.ts';

/** Every string and every byte field (payload data, decoded as UTF-8) of a history, one per line. */
function historyText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  if (Array.isArray(value)) return value.map(historyText).join('\n');
  if (value && typeof value === 'object') return Object.values(value).map(historyText).join('\n');
  return '';
}

const bundle = () => ({ workflowBundle: { codePath: inject('workflowBundlePath') }, quiet: true });

describe('worker secrets from Key Vault', () => {
  let harness: Harness;
  let workers: RunningWorkers | undefined;
  let postgres: DatabaseTlsServer;
  let wrongCaFile: string;
  const logged: string[] = [];
  const reference = (name: string) => `keyvault:${harness.simulator.endpoint}/secrets/${name}`;

  beforeAll(async () => {
    harness = await startHarness('secrets', { speed: 2000 });
    await harness.admin.seedSecrets({ 'payroll-login': 'payroll-s3cret-value', 'empty-one': '' });
    const issuer = await ensureTlsMaterial(mkdtempSync(join(tmpdir(), 'mf-secrets-db-ca-')));
    wrongCaFile = (await ensureTlsMaterial(mkdtempSync(join(tmpdir(), 'mf-secrets-other-ca-')))).caCertPath;
    postgres = await databaseTlsServer('PostgreSQL', issuer);
  });
  afterAll(async () => {
    await workers?.shutdown();
    await postgres?.close();
    await harness?.close();
  });

  it('a missing or empty secret stops the start, naming each reference and its setting', async () => {
    const env = {
      ...harness.workerEnv,
      VCENTER_PASSWORD_SECRET: reference('not-there'),
      FACTORY_DATABASE_SERVERS: JSON.stringify({
        sources: { '*': { login: { userName: 'migrator', password: reference('empty-one') } } },
      }),
    };
    const start = startWorkers(loadWorkerConfig(env), bundle());
    await expect(start).rejects.toThrow(
      `${reference('not-there')} (VCENTER_PASSWORD_SECRET): no such secret (or version) in the vault`,
    );
    await expect(start).rejects.toThrow(
      `${reference('empty-one')} (FACTORY_DATABASE_SERVERS: sources.*.login.password): the secret is empty`,
    );
  });

  it('a value where a reference belongs is refused by the configuration, not used', () => {
    expect(() => loadWorkerConfig({ ...harness.workerEnv, VCENTER_PASSWORD: 'hunter2' })).toThrow(
      'VCENTER_PASSWORD: secret values are not read from the environment',
    );
    const servers = { sources: { '*': { login: { userName: 'migrator', password: 'hunter2' } } } };
    expect(() =>
      loadWorkerConfig({ ...harness.workerEnv, FACTORY_DATABASE_SERVERS: JSON.stringify(servers) }),
    ).toThrow('FACTORY_DATABASE_SERVERS: sources.*.login.password: expected a Key Vault reference');
  });

  describe('with the workers started', () => {
    beforeAll(async () => {
      const demoServers = JSON.parse(harness.workerEnv.FACTORY_DATABASE_SERVERS ?? '{}') as {
        sources: Record<string, unknown>;
        targets: Record<string, unknown>;
      };
      const env = {
        ...harness.workerEnv,
        FACTORY_DATABASE_SERVERS: JSON.stringify({
          sources: {
            ...demoServers.sources,
            'payroll-db-01': {
              login: { userName: 'payroll-migrator', password: reference('payroll-login') },
              tls: { trustServerCertificate: true },
            },
            localhost: {
              login: { userName: 'migrator', password: reference('payroll-login') },
              tls: { caFile: wrongCaFile, port: postgres.port },
            },
          },
          targets: demoServers.targets,
        }),
      };
      workers = await startWorkers(loadWorkerConfig(env), {
        ...bundle(),
        log: (line) => logged.push(line),
      });
    });

    it('logs each server whose certificate is accepted without verification', () => {
      expect(logged).toEqual([
        expect.stringContaining(
          'database server sources.payroll-db-01: trustServerCertificate is on (FACTORY_DATABASE_SERVERS)',
        ),
      ]);
    });

    it('migrates a database with the resolved logins, and no secret is in its history', async () => {
      const payroll = demoDatabases(demoScope)[0]!.spec;
      const handle = await startDatabase(harness, { ...payroll, id: 'secrets-test.payroll' });
      await waitFor(
        'ready for cutover',
        async () =>
          (await handle.query(databaseProgressQuery)).phase === 'ready-for-cutover' ? true : undefined,
        60_000,
      );
      await handle.signal(databaseCutoverSignal, { by: 'secrets-test', reason: 'cutover window opened' });
      expect(await handle.result()).toMatchObject({ outcome: 'migrated', phase: 'completed' });

      const history = historyText(
        await decodeHistoryPayloads(await handle.fetchHistory(), harness.client.options.loadedDataConverter),
      );
      // The search can succeed: the decoded payloads hold the spec (its source server) and the results.
      expect(history).toContain(payroll.sourceServer);
      expect(history).toContain('ReadyForCutover');
      for (const value of ['payroll-s3cret-value', ...harness.secretValues])
        expect(history).not.toContain(value);
    });

    it('holds a database whose source certificate does not chain to the configured CA, naming server and file', async () => {
      const spec: DatabaseSpec = {
        id: 'secrets-test.wrong-ca',
        name: 'wiki',
        sourceServer: 'localhost',
        engine: 'PostgreSQL',
        application: 'wiki',
        mode: 'online',
        sizeGB: 1,
        target: {
          kind: 'PostgreSql',
          serverId: `/subscriptions/${demoScope.subscriptionId}/resourceGroups/rg-data/providers/Microsoft.DBforPostgreSQL/flexibleServers/pg-wiki`,
          databaseName: 'wiki',
        },
      };
      const handle = await startDatabase(harness, spec);
      const held = await waitFor(
        'held on the certificate check',
        async (): Promise<DatabaseProgress | undefined> => {
          const progress = await handle.query(databaseProgressQuery);
          return progress.lastError ? progress : undefined;
        },
        60_000,
      );
      expect(held.lastError?.code).toBe(ErrorType.databaseCertificateUntrusted);
      expect(held.lastError?.message).toContain(
        `PostgreSQL server localhost:${postgres.port}: its certificate is not trusted by the CA in ${wrongCaFile}`,
      );
      // Nothing was asked of Azure for it.
      const audit = await harness.admin.audit();
      expect(audit.entries.filter((entry) => entry.path.includes('/tasks/migrate-secrets-test'))).toEqual([]);
      await handle.terminate('test over');
    });
  });
});
