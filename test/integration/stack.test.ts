import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deviceCodeToken, LOCAL_AUDIENCE, LOCAL_CLI_CLIENT_ID } from '../../cli/stack/oidc-issuer.ts';
import { freePort, isPortFree } from '../../cli/stack/ports.ts';
import { projectRoot } from '../../cli/stack/temporal-cli.ts';

type StackPorts = Record<'temporal' | 'ui' | 'simulator' | 'server' | 'issuer', number>;

const freePorts = async (): Promise<StackPorts> => ({
  temporal: await freePort(),
  ui: await freePort(),
  simulator: await freePort(),
  server: await freePort(),
  issuer: await freePort(),
});

function runStack(ports: StackPorts) {
  const dataDir = mkdtempSync(join(tmpdir(), 'mf-stack-'));
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(projectRoot, 'cli/factory.ts'),
      'stack',
      ...['--temporal-port', String(ports.temporal), '--ui-port', String(ports.ui)],
      ...['--simulator-port', String(ports.simulator), '--data-dir', dataDir],
      ...['--server-port', String(ports.server), '--issuer-port', String(ports.issuer)],
    ],
    { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exit, output: () => output };
}

describe('factory stack', () => {
  it('prints where each service listens and stops all of them on SIGTERM', async () => {
    const ports: StackPorts = await freePorts();
    const stack = runStack(ports);
    const deadline = Date.now() + 90_000;
    while (!stack.output().includes('Press Ctrl-C')) {
      if (Date.now() > deadline || stack.child.exitCode !== null)
        throw new Error(`stack did not start:\n${stack.output()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(stack.output()).toContain(`Temporal frontend  127.0.0.1:${ports.temporal}`);
    expect(stack.output()).toContain(`Temporal Web UI    http://127.0.0.1:${ports.ui}`);
    expect(stack.output()).toContain(`Azure simulator    https://127.0.0.1:${ports.simulator}`);
    const server = `http://127.0.0.1:${ports.server}`;
    const issuer = `http://127.0.0.1:${ports.issuer}`;
    expect(stack.output()).toContain(`Factory server     ${server}`);
    expect(stack.output()).toContain(`OIDC issuer        ${issuer}  (client ${LOCAL_CLI_CLIENT_ID})`);
    expect(stack.output()).toContain("Local users        password 'factory'");
    expect(stack.output()).toMatch(/april +April Approver +approver/);

    // The server answers a token of the stack's issuer, obtained as `factory login` does.
    const token = await deviceCodeToken(
      { issuer, clientId: LOCAL_CLI_CLIENT_ID, audience: LOCAL_AUDIENCE },
      'oscar',
      'factory',
    );
    const waves = await fetch(`${server}/api/waves`, { headers: { authorization: `Bearer ${token}` } });
    expect(waves.status).toBe(200);
    expect(((await waves.json()) as { waves: unknown[] }).waves).toEqual([]);
    expect((await fetch(`${server}/api/waves`)).status).toBe(401);

    stack.child.kill('SIGTERM');
    expect(await stack.exit).toBe(0);
    for (const port of Object.values(ports))
      expect(await isPortFree(port), `port ${port} released`).toBe(true);
  });

  it('refuses to start when a port is taken, naming the port and the service', async () => {
    const taken = await freePort();
    const blocker = createServer().listen(taken, '127.0.0.1');
    await new Promise((resolve) => blocker.once('listening', resolve));
    try {
      const stack = runStack({ ...(await freePorts()), simulator: taken });
      expect(await stack.exit).toBe(1);
      expect(stack.output()).toContain(`Port ${taken} (Azure simulator) is already in use`);
    } finally {
      blocker.close();
    }
  });
});
