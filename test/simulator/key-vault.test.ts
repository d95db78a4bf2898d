/**
 * The simulator's Key Vault secrets data plane as `@azure/keyvault-secrets` calls it: the challenge (401 with
 * WWW-Authenticate naming the vault.azure.net resource), versions, disabled secrets, persistence.
 */
import { SecretClient } from '@azure/keyvault-secrets';
import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalTokenCredential } from '../../workers/azure.ts';
import { demoCodecKeySecret, seedDemoCodecKey } from '../../simulators/demo-secrets.ts';
import { startTestSimulator, unsignedJwt, type TestSimulator } from './helpers.ts';

function rawGet(t: TestSimulator, path: string, authorization?: string) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
    (resolve, reject) => {
      const req = request(
        new URL(path, t.sim.endpoint),
        { ca: t.sim.caCertPem, headers: authorization ? { authorization } : {} },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        },
      );
      req.on('error', reject);
      req.end();
    },
  );
}

describe('Key Vault secrets (simulator)', () => {
  let t: TestSimulator;
  const client = () =>
    new SecretClient(t.sim.endpoint, new LocalTokenCredential('kv-test'), {
      tlsOptions: { ca: t.sim.caCertPem },
      // The simulator's vault is not <name>.vault.azure.net: the SDK's resource check would refuse it.
      disableChallengeResourceVerification: true,
      retryOptions: { maxRetries: 0 },
    });

  beforeAll(async () => {
    t = await startTestSimulator({ persist: true });
  });
  afterAll(async () => {
    await t.dispose();
  });

  it('answers an unauthenticated request with the challenge the SDK follows', async () => {
    const answer = await rawGet(t, '/secrets/anything/?api-version=2025-07-01');
    expect(answer.status).toBe(401);
    expect(answer.headers['www-authenticate']).toMatch(
      /^Bearer authorization="[^"]+", resource="https:\/\/vault\.azure\.net"$/,
    );
    // A token for ARM is not a token for Key Vault.
    const armToken = await rawGet(
      t,
      '/secrets/anything/?api-version=2025-07-01',
      `Bearer ${unsignedJwt('p')}`,
    );
    expect(armToken.status).toBe(401);
  });

  it('stores versions and reads the latest or a given one through the SDK', async () => {
    const secrets = client();
    const first = await secrets.setSecret('db-login', 'first-value');
    const seeded = await t.admin.seedSecrets({ 'db-login': 'second-value' });
    expect(seeded.secrets['db-login']).toMatch(
      new RegExp(`^${t.sim.endpoint}/secrets/db-login/[0-9a-f]{32}$`),
    );
    const latest = await secrets.getSecret('db-login');
    expect(latest.value).toBe('second-value');
    expect(latest.properties.vaultUrl).toBe(t.sim.endpoint);
    expect(latest.properties.version).not.toBe(first.properties.version);
    const older = await secrets.getSecret('db-login', { version: first.properties.version! });
    expect(older.value).toBe('first-value');
    // Names are case-insensitive, as in Key Vault.
    expect((await secrets.getSecret('DB-LOGIN')).value).toBe('second-value');
  });

  it('seeding with keepExisting leaves a secret that has a version alone (the codec key survives restarts)', async () => {
    const first = await seedDemoCodecKey(t.admin);
    const key = (await client().getSecret(demoCodecKeySecret)).value;
    expect(key && Buffer.from(key, 'base64')).toHaveLength(32);
    await t.restart();
    expect(await seedDemoCodecKey(t.admin)).toEqual(first);
    expect((await client().getSecret(demoCodecKeySecret)).value).toBe(key);
    // Without keepExisting, a new version.
    await t.admin.seedSecrets({ [demoCodecKeySecret]: 'replaced' });
    expect((await client().getSecret(demoCodecKeySecret)).value).toBe('replaced');
  });

  it('answers 404 SecretNotFound and 403 for a disabled secret', async () => {
    const secrets = client();
    await expect(secrets.getSecret('never-set')).rejects.toMatchObject({
      statusCode: 404,
      code: 'SecretNotFound',
    });
    await secrets.setSecret('switched-off', 'x', { enabled: false });
    await expect(secrets.getSecret('switched-off')).rejects.toMatchObject({ statusCode: 403 });
  });

  it('keeps its secrets across a restart (the snapshot)', async () => {
    await t.admin.seedSecrets({ durable: 'kept' });
    await t.restart();
    expect((await client().getSecret('durable')).value).toBe('kept');
  });
});
