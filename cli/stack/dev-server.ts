/** Runs `temporal server start-dev` as a child process and waits until its frontend answers. */
import { Connection } from '@temporalio/client';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { searchAttributeKeys } from '../../contracts/search-attributes.ts';
import { ensureTemporalCli } from './temporal-cli.ts';

export interface DevServerOptions {
  port: number;
  /** Web UI port; undefined runs headless. */
  uiPort?: number;
  /** SQLite file; undefined keeps state in memory. */
  dbFile?: string;
  namespace?: string;
  log?: (line: string) => void;
}

export interface RunningDevServer {
  address: string;
  uiUrl?: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

const typeNames: Record<string, string> = { KEYWORD: 'Keyword', TEXT: 'Text', INT: 'Int', BOOL: 'Bool' };

export async function startDevServer(options: DevServerOptions): Promise<RunningDevServer> {
  const cli = ensureTemporalCli(options.log);
  const namespace = options.namespace ?? 'default';
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(options.port),
    '--namespace',
    namespace,
    '--log-level',
    'error',
    ...searchAttributeKeys.flatMap((key) => [
      '--search-attribute',
      `${key.name}=${typeNames[key.type] ?? 'Keyword'}`,
    ]),
    '--dynamic-config-value',
    'frontend.enableUpdateWorkflowExecution=true',
    '--dynamic-config-value',
    'frontend.enableUpdateWorkflowExecutionAsyncAccepted=true',
    // One host: the default four partitions per task queue only add forwarding between them (and split a
    // task queue's activity rate limit four ways).
    '--dynamic-config-value',
    'matching.numTaskqueueReadPartitions=1',
    '--dynamic-config-value',
    'matching.numTaskqueueWritePartitions=1',
  ];
  if (options.dbFile) {
    mkdirSync(dirname(options.dbFile), { recursive: true });
    // WAL with synchronous=NORMAL survives a killed server (chaos restarts it on this file) and spares
    // an fsync per transaction, which otherwise bounds the dev server's throughput.
    args.push(
      '--db-filename',
      options.dbFile,
      '--sqlite-pragma',
      'journal_mode=wal',
      '--sqlite-pragma',
      'synchronous=normal',
    );
  }
  if (options.uiPort) args.push('--ui-port', String(options.uiPort), '--ui-disable-news-fetch');
  else args.push('--headless');

  const child = spawn(cli, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, TEMPORAL_VERSION_CHECK_DISABLED: '1' },
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // Whatever way this process ends (short of SIGKILL), the dev server must not outlive it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  void exited.then(() => process.off('exit', killOnExit));

  const address = `127.0.0.1:${options.port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    const exitCode = await Promise.race([
      exited,
      new Promise<'running'>((r) => setTimeout(() => r('running'), 250)),
    ]);
    if (exitCode !== 'running') {
      throw new Error(
        `Temporal dev server exited with code ${exitCode} before it was ready:\n${output.trim()}`,
      );
    }
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await connection.workflowService.describeNamespace({ namespace });
        break;
      } finally {
        await connection.close();
      }
    } catch (error) {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`Temporal dev server did not become ready on ${address} within 60 s\n${output}`, {
          cause: error,
        });
      }
    }
  }

  return {
    address,
    uiUrl: options.uiPort ? `http://127.0.0.1:${options.uiPort}` : undefined,
    process: child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
