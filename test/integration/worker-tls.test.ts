/**
 * A worker process that reaches Temporal only over mutual TLS, configured by TEMPORAL_* variables alone,
 * runs the demo wave; the `factory` CLI reads the same variables. The dev server has no TLS, so a
 * TLS-terminating proxy (node:tls, ALPN h2, client certificates required) sits in front of it and pipes
 * each connection to the dev server's plain port: gRPC over h2c prior knowledge passes through byte for byte.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect as connectTcp, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMutualTlsMaterial } from '../../simulators/certificates.ts';
import {
  demoBatchSettings,
  runCli,
  spawnWorkerProcess,
  startDemoWave,
  startHarness,
  type Harness,
} from './harness.ts';

interface TlsProxy {
  address: string;
  /** Common names of the client certificates of the connections the proxy accepted. */
  clients: string[];
  close(): Promise<void>;
}

/** TLS in front of `upstream` (host:port of a plain gRPC server), requiring client certificates from `caPem`. */
async function startTlsProxy(
  upstream: string,
  identity: { certPem: string; keyPem: string; caPem: string },
): Promise<TlsProxy> {
  const [host, port] = upstream.split(':') as [string, string];
  const open = new Set<Socket>();
  const clients: string[] = [];
  const server = createTlsServer(
    {
      cert: identity.certPem,
      key: identity.keyPem,
      ca: identity.caPem,
      requestCert: true,
      rejectUnauthorized: true,
      ALPNProtocols: ['h2'],
    },
    (socket: TLSSocket) => {
      clients.push(String(socket.getPeerCertificate().subject.CN));
      const plain = connectTcp(Number(port), host);
      for (const side of [socket, plain]) {
        open.add(side);
        side.once('close', () => open.delete(side));
      }
      socket.on('error', () => plain.destroy());
      plain.on('error', () => socket.destroy());
      socket.pipe(plain).pipe(socket);
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    clients,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** How `spawnWorkerProcess` fails: the worker's exit and everything it printed. */
async function startupFailure(start: Promise<ChildProcess>): Promise<string> {
  const outcome = await start.then(
    (child) => {
      child.kill('SIGKILL');
      return 'the worker started';
    },
    (error: unknown) => (error instanceof Error ? error.message : String(error)),
  );
  return outcome;
}

/** The CLI as an operator runs it, outside any workspace. */
const cliRun = (args: string[], env: Record<string, string>) =>
  runCli(args, { cwd: tmpdir(), env }).then((run) => ({ ...run, output: run.stderr + run.stdout }));

describe('worker over mutual TLS from TEMPORAL_* variables (real Temporal behind a TLS proxy, simulator)', () => {
  let harness: Harness;
  let proxy: TlsProxy;
  let worker: ChildProcess | undefined;
  const files: Record<'ca' | 'cert' | 'key' | 'otherCa' | 'otherCert' | 'otherKey', string> = {
    ca: '',
    cert: '',
    key: '',
    otherCa: '',
    otherCert: '',
    otherKey: '',
  };
  /** The TLS settings an operator sets for a worker or the CLI: no code, only the environment. */
  const tlsEnv = (): Record<string, string> => ({
    TEMPORAL_ADDRESS: proxy.address,
    TEMPORAL_NAMESPACE: 'default',
    TEMPORAL_TLS_SERVER_CA_CERT_PATH: files.ca,
    TEMPORAL_TLS_CLIENT_CERT_PATH: files.cert,
    TEMPORAL_TLS_CLIENT_KEY_PATH: files.key,
    TEMPORAL_TLS_SERVER_NAME: 'temporal.factory.test',
    FACTORY_CODEC_KEY_FILE: harness.workerEnv.FACTORY_CODEC_KEY_FILE ?? '',
  });
  const workerWith = (env: Record<string, string>) =>
    spawnWorkerProcess({ ...harness, workerEnv: { ...harness.workerEnv, ...env } });

  beforeAll(async () => {
    harness = await startHarness('tls', { speed: 2000 });
    const dir = mkdtempSync(join(tmpdir(), 'mf-tls-'));
    const write = (name: string, pem: string) => {
      const path = join(dir, name);
      writeFileSync(path, pem, { mode: 0o600 });
      return path;
    };
    const trusted = createMutualTlsMaterial({
      caName: 'Factory Test Temporal CA',
      serverNames: ['temporal.factory.test'],
      clientName: 'factory-worker',
    });
    const other = createMutualTlsMaterial({
      caName: 'Some Other CA',
      serverNames: ['temporal.factory.test'],
      clientName: 'intruder',
    });
    files.ca = write('ca.pem', trusted.caCertPem);
    files.cert = write('worker.pem', trusted.client.certPem);
    files.key = write('worker-key.pem', trusted.client.keyPem);
    files.otherCa = write('other-ca.pem', other.caCertPem);
    files.otherCert = write('intruder.pem', other.client.certPem);
    files.otherKey = write('intruder-key.pem', other.client.keyPem);
    proxy = await startTlsProxy(harness.workerEnv.TEMPORAL_ADDRESS ?? '', {
      ...trusted.server,
      caPem: trusted.caCertPem,
    });
  });
  afterAll(async () => {
    if (worker && worker.exitCode === null && worker.signalCode === null) {
      const exited = new Promise((resolve) => worker?.once('exit', resolve));
      worker.kill('SIGKILL');
      await exited;
    }
    await proxy?.close();
    await harness?.close();
  });

  it('refuses to start without the client certificate, or trusting the wrong CA, saying which setting to change', async () => {
    const {
      TEMPORAL_TLS_CLIENT_CERT_PATH: _certificate,
      TEMPORAL_TLS_CLIENT_KEY_PATH: _key,
      ...withoutCertificate
    } = tlsEnv();
    const noCertificate = await startupFailure(workerWith(withoutCertificate));
    expect(noCertificate).toMatch(/worker exited with 1 before ready/);
    expect(noCertificate).toContain(
      `cannot reach Temporal at ${proxy.address} namespace default (TLS, custom CA)`,
    );
    // The server's "certificate required" alert races its closing of the socket, so the worker sees either
    // (and gives the exact or the general TLS advice); both point at the client certificate variable.
    expect(noCertificate).toMatch(/client certificate[^\n]*TEMPORAL_TLS_CLIENT_CERT_PATH/);

    const wrongCa = await startupFailure(
      workerWith({ ...tlsEnv(), TEMPORAL_TLS_SERVER_CA_CERT_PATH: files.otherCa }),
    );
    expect(wrongCa).toMatch(/worker exited with 1 before ready/);
    expect(wrongCa).toContain("the server's certificate is not signed by a CA this process trusts");

    const unreadable = await startupFailure(
      workerWith({ ...tlsEnv(), TEMPORAL_TLS_CLIENT_KEY_PATH: join(tmpdir(), 'no-such-key.pem') }),
    );
    expect(unreadable).toContain('Temporal connection: cannot read TEMPORAL_TLS_CLIENT_KEY_PATH');

    // The proxy accepted no connection: every refusal happened in the TLS handshake.
    expect(proxy.clients).toEqual([]);
  });

  it('runs the demo wave to completion through a worker that reaches Temporal only over mutual TLS', async () => {
    worker = await workerWith(tlsEnv());
    expect(proxy.clients).toContain('factory-worker');

    // Only this worker polls the harness's task queues, and it reaches Temporal only through the proxy.
    const handle = await startDemoWave(
      harness.client,
      'it-tls',
      { ...demoBatchSettings, azureTaskQueue: harness.azureTaskQueue, replicationReportEveryMs: 1000 },
      harness.taskQueue,
    );
    const result = await handle.result();
    expect(result.counts).toEqual({
      migrated: 20,
      'rolled-back': 0,
      deferred: 0,
      'failed-needs-attention': 0,
    });
    expect(result.databases.map((d) => d.outcome)).toEqual(['migrated', 'migrated']);

    // The CLI resolves the same variables the same way: it reads the wave through the proxy...
    const status = await cliRun(['wave', 'status', 'it-tls', '--json'], tlsEnv());
    expect(status.code, status.output).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ waveId: 'it-tls', phase: 'completed' });
    // ...and, refused when its certificate is not one the server trusts, points at the TLS settings (grpc-js,
    // unlike the workers' Rust core, reports only a missed connect deadline, not the handshake's cause).
    const intruder = await cliRun(['wave', 'status', 'it-tls'], {
      ...tlsEnv(),
      TEMPORAL_TLS_CLIENT_CERT_PATH: files.otherCert,
      TEMPORAL_TLS_CLIENT_KEY_PATH: files.otherKey,
    });
    expect(intruder.code, intruder.output).toBe(5);
    expect(intruder.output).toContain(`cannot reach Temporal at ${proxy.address} namespace default (TLS`);
    expect(intruder.output).toContain('TLS is on: check that the server speaks TLS at this address');
  });
});
