/**
 * The Temporal server's static configuration (common/config/config.go of the pinned server) and its dynamic
 * configuration, written as JSON, which is YAML too, so no YAML library is needed. The file is a server
 * template (`# enable-template`): the PostgreSQL password is read from the service's environment
 * (TEMPORAL_POSTGRES_PASSWORD) when it starts, so it is never written to disk.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FRONTEND_SERVER_NAME, INTERNODE_SERVER_NAME, type ClusterTls } from './cluster-tls.ts';

export const clusterServices = ['frontend', 'history', 'matching', 'worker'] as const;
export type ClusterService = (typeof clusterServices)[number];

export interface ServicePorts {
  grpc: number;
  membership: number;
}

export interface ClusterConfigInput {
  dir: string;
  postgres: { host: string; port: number; user: string };
  ports: Record<ClusterService, ServicePorts>;
  tls: ClusterTls;
  /** 4 is plenty on one machine; it can never change once the database exists. */
  numHistoryShards: number;
}

export const POSTGRES_PASSWORD_VARIABLE = 'TEMPORAL_POSTGRES_PASSWORD';
const passwordPlaceholder = '__POSTGRES_PASSWORD__';

/** Dynamic configuration: the dev server's settings the factory relies on (cli/stack/dev-server.ts). */
export const clusterDynamicConfig: Record<string, unknown> = {
  'frontend.enableUpdateWorkflowExecution': true,
  'frontend.enableUpdateWorkflowExecutionAsyncAccepted': true,
  // One host: more partitions per task queue only add forwarding between them.
  'matching.numTaskqueueReadPartitions': 1,
  'matching.numTaskqueueWritePartitions': 1,
  // Search attributes added at start-up are visible to the next request, not after the cache's refresh.
  'system.forceSearchAttributesCacheRefreshOnRead': true,
};

/** Writes `temporal.yaml` and `dynamicconfig.yaml` into `dir` and returns the static file's path. */
export function writeClusterConfig(input: ClusterConfigInput): string {
  const { postgres, ports, tls } = input;
  const datastore = (databaseName: string, maxConns: number) => ({
    sql: {
      pluginName: 'postgres12',
      databaseName,
      connectAddr: `${postgres.host}:${postgres.port}`,
      connectProtocol: 'tcp',
      user: postgres.user,
      password: passwordPlaceholder,
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  });
  const mutualServer = (pair: { cert: string; key: string }) => ({
    certFile: pair.cert,
    keyFile: pair.key,
    requireClientAuth: true,
    clientCaFiles: [tls.caCert],
  });
  const rpc = (service: ClusterService) => ({
    rpc: { grpcPort: ports[service].grpc, membershipPort: ports[service].membership, bindOnLocalHost: true },
  });
  const frontendAddress = `127.0.0.1:${ports.frontend.grpc}`;
  const config = {
    log: { stdout: true, level: 'warn', format: 'json' },
    persistence: {
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      numHistoryShards: input.numHistoryShards,
      datastores: {
        'postgres-default': datastore('temporal', 20),
        'postgres-visibility': datastore('temporal_visibility', 10),
      },
    },
    global: {
      membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' },
      tls: {
        // Services accept only peers with a certificate of the stack's CA, and check each other's name.
        internode: {
          server: mutualServer(tls.internode),
          client: { serverName: INTERNODE_SERVER_NAME, rootCaFiles: [tls.caCert] },
        },
        // Clients must present a certificate of the stack's CA: a client without one is refused.
        frontend: {
          server: mutualServer(tls.frontend),
          client: { serverName: FRONTEND_SERVER_NAME, rootCaFiles: [tls.caCert] },
        },
        systemWorker: {
          certFile: tls.systemWorker.cert,
          keyFile: tls.systemWorker.key,
          client: { serverName: FRONTEND_SERVER_NAME, rootCaFiles: [tls.caCert] },
        },
      },
    },
    services: Object.fromEntries(clusterServices.map((service) => [service, rpc(service)])),
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: {
          enabled: true,
          initialFailoverVersion: 1,
          rpcName: 'frontend',
          rpcAddress: frontendAddress,
        },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    dynamicConfigClient: { filepath: join(input.dir, 'dynamicconfig.yaml'), pollInterval: '10s' },
  };
  // Dynamic config values are lists of constrained values; no constraint = everywhere.
  const dynamic = Object.fromEntries(
    Object.entries(clusterDynamicConfig).map(([key, value]) => [key, [{ value }]]),
  );
  writeFileSync(join(input.dir, 'dynamicconfig.yaml'), `${JSON.stringify(dynamic, null, 2)}\n`);
  const body = JSON.stringify(config, null, 2).replaceAll(
    JSON.stringify(passwordPlaceholder),
    `{{ env "${POSTGRES_PASSWORD_VARIABLE}" | quote }}`,
  );
  const file = join(input.dir, 'temporal.yaml');
  writeFileSync(
    file,
    `# enable-template\n# Written by cli/stack/cluster-config.ts for this stack; regenerated at each start.\n${body}\n`,
  );
  return file;
}
