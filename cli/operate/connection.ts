/**
 * Connecting to Temporal the way every Temporal tool does, and exactly as the workers do
 * (workers/temporal-connection.ts): address, namespace, TLS and API key from the environment
 * (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_*, TEMPORAL_PROFILE) and the Temporal
 * config file through @temporalio/envconfig; `--address` / `--namespace` override them. Payloads are
 * encrypted and decrypted with the workers' codec keys (FACTORY_CODEC_*, workers/codec-keys.ts).
 */
import { Client, Connection } from '@temporalio/client';
import { CliError, ExitCode } from './exit-codes.ts';
import { TASK_QUEUES } from '../../contracts/task-queues.ts';
import {
  describeTemporalConnection,
  resolveTemporalConnection,
  TemporalConfigError,
  tlsFailureHint,
  type TemporalConnectionSettings,
} from '../../workers/temporal-connection.ts';
import { CodecConfigError, codecKeySource, loadPayloadCodec } from '../../workers/codec-keys.ts';
import { factoryDataConverter } from '../../workers/payload-codec.ts';

export interface ConnectionFlags {
  address?: string;
  namespace?: string;
}

export interface Temporal {
  client: Client;
  address: string;
  namespace: string;
  /** Temporal Web UI page of a workflow. */
  workflowUrl(workflowId: string): string;
  close(): Promise<void>;
}

export const DEFAULT_UI_URL = 'http://127.0.0.1:8233';

/** Task queues of the factory's workers, as workers/config.ts reads them. */
export function taskQueues(env: NodeJS.ProcessEnv = process.env) {
  return {
    workflows: env.FACTORY_TASK_QUEUE || TASK_QUEUES.workflows,
    azure: env.FACTORY_AZURE_TASK_QUEUE || TASK_QUEUES.azure,
  };
}

export function workflowUrl(namespace: string, workflowId: string, env: NodeJS.ProcessEnv = process.env) {
  const base = (env.TEMPORAL_UI_URL || DEFAULT_UI_URL).replace(/\/+$/, '');
  return `${base}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

export async function connectTemporal(
  flags: ConnectionFlags,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Temporal> {
  let settings: TemporalConnectionSettings;
  try {
    settings = resolveTemporalConnection(env, flags);
  } catch (error) {
    if (!(error instanceof TemporalConfigError)) throw error;
    throw new CliError(error.message, ExitCode.usage);
  }
  const { address, namespace, tls, apiKey, metadata } = settings;
  let dataConverter;
  try {
    dataConverter = factoryDataConverter(await loadPayloadCodec(codecKeySource(env)));
  } catch (error) {
    if (!(error instanceof CodecConfigError)) throw error;
    throw new CliError(error.message, ExitCode.usage);
  }
  let connection: Connection;
  try {
    connection = await Connection.connect({
      address,
      ...(tls === undefined ? {} : { tls }),
      ...(apiKey === undefined ? {} : { apiKey }),
      ...(metadata === undefined ? {} : { metadata }),
      connectTimeout: '5s',
    });
  } catch (error) {
    throw new CliError(
      `cannot reach Temporal at ${describeTemporalConnection(settings)}: ${error instanceof Error ? error.message : String(error)}.\n` +
        (tlsFailureHint(error, settings) ??
          'Start the embedded stack with `npm run stack`, or point TEMPORAL_ADDRESS / --address at your Temporal server.'),
      ExitCode.connection,
    );
  }
  return {
    client: new Client({ connection, namespace, dataConverter }),
    address,
    namespace,
    workflowUrl: (workflowId) => workflowUrl(namespace, workflowId, env),
    close: () => connection.close(),
  };
}

/** Runs `work` with a connected client and always closes the connection. */
export async function withTemporal<T>(flags: ConnectionFlags, work: (temporal: Temporal) => Promise<T>) {
  const temporal = await connectTemporal(flags);
  try {
    return await work(temporal);
  } finally {
    await temporal.close();
  }
}
