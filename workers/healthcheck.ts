/**
 * The worker container's healthcheck: healthy while a worker in THIS container (the SDK's default identity
 * is `<pid>@<hostname>`) has polled the factory's workflow task queue in the last two minutes, asked of
 * Temporal with the worker's own connection settings. Exit 0 healthy, 1 not.
 *
 *   node --import tsx workers/healthcheck.ts
 */
import { Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { hostname } from 'node:os';
import { loadWorkerConfig } from './config.ts';

const recentMs = 2 * 60_000;

async function main(): Promise<boolean> {
  const config = loadWorkerConfig();
  const { address, tls, apiKey, metadata, namespace } = config.temporal;
  const connection = await Connection.connect({
    address,
    ...(tls === undefined ? {} : { tls }),
    ...(apiKey === undefined ? {} : { apiKey }),
    ...(metadata === undefined ? {} : { metadata }),
    connectTimeout: '5s',
  });
  try {
    const { pollers } = await connection.workflowService.describeTaskQueue({
      namespace,
      taskQueue: { name: config.FACTORY_TASK_QUEUE },
      taskQueueType: proto.temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    });
    const here = `@${hostname()}`;
    return pollers.some((poller) => {
      const seconds = Number(poller.lastAccessTime?.seconds ?? 0);
      return poller.identity?.endsWith(here) && Date.now() - seconds * 1000 < recentMs;
    });
  } finally {
    await connection.close();
  }
}

main().then(
  (healthy) => {
    if (!healthy) console.error(`no worker of ${hostname()} polls the workflow task queue`);
    process.exit(healthy ? 0 : 1);
  },
  (error: unknown) => {
    console.error(`healthcheck: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
