/** FACTORY_DATABASE_SERVERS and the secret reference settings: what is accepted, and errors that name the setting. */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureTlsMaterial } from '../../simulators/certificates.ts';
import { loadWorkerConfig } from '../../workers/config.ts';
import { databaseServerSecrets, trustedWithoutVerification } from '../../workers/database-servers.ts';
import { describeReference, parseSecretReference } from '../../workers/secrets.ts';

const simulator = { FACTORY_PROFILE: 'simulator', AZURE_CREDENTIAL: 'local' };
const vault = 'https://factory-kv.vault.azure.net';
const login = (secret: string) => ({ userName: 'migrator', password: `keyvault:${vault}/secrets/${secret}` });

describe('secret references', () => {
  it('parses Key Vault secret ids, with or without a version', () => {
    expect(parseSecretReference(`keyvault:${vault}/secrets/sql01-login`, 'X')).toEqual({
      vaultUrl: vault,
      name: 'sql01-login',
    });
    const pinned = parseSecretReference(`keyvault:${vault}/secrets/sql01-login/0123abcd`, 'X');
    expect(pinned.version).toBe('0123abcd');
    expect(describeReference(pinned)).toBe(`keyvault:${vault}/secrets/sql01-login/0123abcd`);
  });

  it('refuses a value, a non-secret id and plain http, naming the setting', () => {
    expect(() => parseSecretReference('P@ssw0rd', 'VCENTER_PASSWORD_SECRET')).toThrow(
      'VCENTER_PASSWORD_SECRET: expected a Key Vault reference',
    );
    expect(() => parseSecretReference(`keyvault:${vault}/keys/k1`, 'S')).toThrow(
      `S: 'keyvault:${vault}/keys/k1' is not a Key Vault secret reference`,
    );
    expect(() => parseSecretReference('keyvault:http://kv.local/secrets/a', 'S')).toThrow('must be https');
  });
});

describe('FACTORY_DATABASE_SERVERS', () => {
  it('reads a file: references, CA files relative to it, opt-ins listed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mf-servers-'));
    const ca = await ensureTlsMaterial(join(dir, 'ca-material'));
    mkdirSync(join(dir, 'ca'));
    writeFileSync(join(dir, 'ca/root.pem'), ca.caCertPem);
    const file = join(dir, 'servers.json');
    writeFileSync(
      file,
      JSON.stringify({
        sources: {
          'SQL01.contoso.local': { login: login('sql01'), tls: { caFile: 'ca/root.pem', port: 14333 } },
          legacy: { login: login('legacy'), tls: { trustServerCertificate: true } },
        },
        targets: {
          '*': { login: { userName: 'migrator', password: { keyVault: vault, secret: 'target' } } },
        },
      }),
    );
    const servers = loadWorkerConfig({ ...simulator, FACTORY_DATABASE_SERVERS: file }).secrets
      .databaseServers!;
    expect(servers.sources['sql01.contoso.local']).toMatchObject({
      ca: { file: join(dir, 'ca/root.pem') },
      port: 14333,
      trustServerCertificate: false,
    });
    expect(trustedWithoutVerification(servers)).toEqual(['sources.legacy']);
    expect(databaseServerSecrets(servers).map((request) => request.setting)).toEqual([
      `FACTORY_DATABASE_SERVERS (${file}): sources.sql01.contoso.local.login.password`,
      `FACTORY_DATABASE_SERVERS (${file}): sources.legacy.login.password`,
      `FACTORY_DATABASE_SERVERS (${file}): targets.*.login.password`,
    ]);
  });

  it('names every problem: unreadable file, bad CA, both caFile and trust, unknown fields', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mf-servers-'));
    writeFileSync(join(dir, 'not-a-cert.pem'), 'hello');
    const settings = JSON.stringify({
      sources: {
        a: { login: login('a'), tls: { caFile: join(dir, 'missing.pem') } },
        b: { login: login('b'), tls: { caFile: join(dir, 'not-a-cert.pem') } },
      },
    });
    const attempt = () => loadWorkerConfig({ ...simulator, FACTORY_DATABASE_SERVERS: settings });
    expect(attempt).toThrow(
      `FACTORY_DATABASE_SERVERS: sources.a.tls.caFile: cannot read ${join(dir, 'missing.pem')}`,
    );
    expect(attempt).toThrow(
      `FACTORY_DATABASE_SERVERS: sources.b.tls.caFile: ${join(dir, 'not-a-cert.pem')} is not a PEM certificate`,
    );
    const both = JSON.stringify({
      sources: { c: { login: login('c'), tls: { caFile: 'x.pem', trustServerCertificate: true } } },
    });
    expect(() => loadWorkerConfig({ ...simulator, FACTORY_DATABASE_SERVERS: both })).toThrow(
      'FACTORY_DATABASE_SERVERS: sources.c.tls: caFile and trustServerCertificate exclude each other',
    );
    expect(() =>
      loadWorkerConfig({ ...simulator, FACTORY_DATABASE_SERVERS: join(dir, 'absent.json') }),
    ).toThrow(`FACTORY_DATABASE_SERVERS (${join(dir, 'absent.json')}): cannot read the file`);
    expect(() =>
      loadWorkerConfig({
        ...simulator,
        FACTORY_DATABASE_SERVERS: JSON.stringify({ sources: { d: { login: login('d'), password: 'x' } } }),
      }),
    ).toThrow('FACTORY_DATABASE_SERVERS: sources.d: Unrecognized key: "password"');
  });

  it('requires the vCenter password reference with a vCenter', () => {
    expect(() => loadWorkerConfig({ ...simulator, VCENTER_URL: 'https://vcenter01.contoso.local' })).toThrow(
      'VCENTER_PASSWORD_SECRET: required with VCENTER_URL',
    );
  });
});
