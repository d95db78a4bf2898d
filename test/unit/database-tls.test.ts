/**
 * The worker's check of a source database server's certificate, against local TLS servers that start TLS
 * the way each engine does (PostgreSQL SSLRequest, MySQL greeting + SSLRequest, SQL Server TDS 8.0 strict)
 * with a certificate from one CA; the check passes with that CA and fails, naming the CA file, with another.
 */
import { mkdtempSync } from 'node:fs';
import { createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CertificateCheckError, checkServerCertificate } from '../../activities/database-tls.ts';
import { sqlMigrationRequest, type DatabaseServerConnection } from '../../activities/data-migration.ts';
import type { DatabaseEngine, DatabaseSpec } from '../../domain/migration.ts';
import { ensureTlsMaterial, type TlsMaterial } from '../../simulators/certificates.ts';
import { databaseTlsServer, type DatabaseTlsServer } from '../integration/database-tls-server.ts';

describe('database server certificate check', () => {
  let issuer: TlsMaterial;
  let otherCa: TlsMaterial;
  const servers: Partial<Record<DatabaseEngine, DatabaseTlsServer>> = {};
  const engines: DatabaseEngine[] = ['PostgreSQL', 'MySQL', 'SQL Server'];

  beforeAll(async () => {
    issuer = await ensureTlsMaterial(mkdtempSync(join(tmpdir(), 'db-ca-')));
    otherCa = await ensureTlsMaterial(mkdtempSync(join(tmpdir(), 'db-other-ca-')));
    for (const engine of engines) servers[engine] = await databaseTlsServer(engine, issuer);
  });
  afterAll(async () => {
    await Promise.all(Object.values(servers).map((server) => server.close()));
  });

  for (const engine of engines) {
    it(`${engine}: passes with the CA that issued the server's certificate`, async () => {
      await expect(
        checkServerCertificate({
          engine,
          host: 'localhost',
          port: servers[engine]!.port,
          ca: issuer.caCertPem,
          caFile: issuer.caCertPath,
          timeoutMs: 10_000,
        }),
      ).resolves.toBe('CN=localhost');
    });

    it(`${engine}: fails with another CA, naming the server and the CA file`, async () => {
      const check = checkServerCertificate({
        engine,
        host: 'localhost',
        port: servers[engine]!.port,
        ca: otherCa.caCertPem,
        caFile: otherCa.caCertPath,
        timeoutMs: 10_000,
      });
      await expect(check).rejects.toBeInstanceOf(CertificateCheckError);
      await expect(check).rejects.toThrow(
        `${engine} server localhost:${servers[engine]!.port}: its certificate is not trusted by the CA in ${otherCa.caCertPath}`,
      );
    });
  }

  it('names a server that does not negotiate TLS at all', async () => {
    const silent = createTcpServer((socket) => socket.end('N'));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    await expect(
      checkServerCertificate({
        engine: 'PostgreSQL',
        host: '127.0.0.1',
        port,
        ca: issuer.caCertPem,
        caFile: issuer.caCertPath,
        timeoutMs: 10_000,
      }),
    ).rejects.toThrow(
      `PostgreSQL server 127.0.0.1:${port}: TLS check failed: the server does not accept TLS`,
    );
    silent.close();
  });
});

describe('the SQL migration request', () => {
  const spec: DatabaseSpec = {
    id: 'reporting-db-01.reporting',
    name: 'reporting',
    sourceServer: 'Reporting-DB-01',
    engine: 'SQL Server',
    application: 'reporting',
    mode: 'offline',
    sizeGB: 1,
    target: {
      kind: 'SqlDb',
      serverId: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Sql/servers/sql-reporting',
      databaseName: 'reporting',
    },
  };
  const server = (userName: string, trustServerCertificate: boolean): DatabaseServerConnection => ({
    login: { userName, password: `${userName}-password` },
    trustServerCertificate,
  });
  const services = {
    location: 'westeurope',
    sqlMigrationServiceId: 'sms',
    classic: { serviceId: '', virtualSubnetId: '', skuName: '' },
  };

  it('verifies certificates unless the server opted in, with the login of that server (or of "*")', () => {
    const request = sqlMigrationRequest(spec, services, {
      servers: {
        sources: { 'reporting-db-01': server('reporting-source', true), '*': server('any-source', false) },
        targets: { '*': server('any-target', false) },
        configuredBy: 'the test',
      },
    });
    expect(request.properties.sourceSqlConnection).toMatchObject({
      userName: 'reporting-source',
      password: 'reporting-source-password',
      encryptConnection: true,
      trustServerCertificate: true,
    });
    expect(request.properties).toMatchObject({
      targetSqlConnection: {
        dataSource: 'sql-reporting.database.windows.net',
        userName: 'any-target',
        encryptConnection: true,
        trustServerCertificate: false,
      },
    });
  });

  it('refuses a server without a login, naming it and the setting', () => {
    expect(() =>
      sqlMigrationRequest(spec, services, {
        servers: { sources: {}, targets: {}, configuredBy: 'FACTORY_DATABASE_SERVERS (servers.json)' },
      }),
    ).toThrow(
      'No source login for database server Reporting-DB-01: add it (or "*") to the sources of FACTORY_DATABASE_SERVERS (servers.json)',
    );
  });
});
