/**
 * Azurite (the npm package) as a child process: the local Azure Blob Storage the artifact store uses in
 * the embedded stack, the tests and the bench, as a storage account does in production.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { azuriteConnectionString } from '../../workspace/artifact-store.ts';

export interface RunningAzurite {
  blobEndpoint: string;
  connectionString: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

const require = createRequire(import.meta.url);

/** Starts Azurite's blob service on 127.0.0.1:port; `location` keeps its data across restarts. */
export async function startAzurite(options: {
  port: number;
  /** Folder for Azurite's data; undefined keeps it in memory. */
  location?: string;
  log?: (line: string) => void;
}): Promise<RunningAzurite> {
  const main = join(dirname(require.resolve('azurite/package.json')), 'dist/src/blob/main.js');
  const args = [
    main,
    '--blobHost',
    '127.0.0.1',
    '--blobPort',
    String(options.port),
    '--disableTelemetry',
    '--skipApiVersionCheck',
    '--loose',
    '--silent',
  ];
  if (options.location) {
    mkdirSync(options.location, { recursive: true });
    args.push('--location', options.location);
  } else args.push('--inMemoryPersistence');
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('successfully listens')) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', reject);
    child.once('exit', (code) =>
      reject(new Error(`Azurite exited (code ${code}) before listening on ${options.port}:\n${output}`)),
    );
  });
  await ready;
  child.stdout.removeAllListeners('data').resume();
  child.stderr.removeAllListeners('data').resume();
  const blobEndpoint = `http://127.0.0.1:${options.port}`;
  options.log?.(`Azurite blob service on ${blobEndpoint}`);
  return {
    blobEndpoint,
    connectionString: azuriteConnectionString(blobEndpoint),
    process: child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
