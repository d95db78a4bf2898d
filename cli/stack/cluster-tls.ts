/**
 * The cluster's mutual-TLS material, issued by a CA made for the stack (node-forge, as the simulator's
 * certificates): the frontend's certificate for clients, one certificate the services present to each other
 * in both roles (internode), client certificates for the internal-worker service, the factory's processes
 * (workers, CLI, server) and the Web UI server. The CA's private key is never written: a stack that loses a file gets a
 * fresh CA and fresh certificates, and its clients take the new CA from the regenerated files.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createCertificateAuthority,
  createClientCertificate,
  createServerCertificate,
} from '../../simulators/certificates.ts';

/** Names in the certificates; clients check the frontend's with TEMPORAL_TLS_SERVER_NAME. */
export const FRONTEND_SERVER_NAME = 'frontend.temporal.migration-factory.local';
export const INTERNODE_SERVER_NAME = 'internode.temporal.migration-factory.local';

export interface ClusterTls {
  caCert: string;
  frontend: { cert: string; key: string };
  internode: { cert: string; key: string };
  systemWorker: { cert: string; key: string };
  /** What the factory's workers, CLI and server present. */
  client: { cert: string; key: string };
  /** What the Web UI server presents. */
  webUi: { cert: string; key: string };
}

const pair = (dir: string, name: string) => ({
  cert: join(dir, `${name}.pem`),
  key: join(dir, `${name}-key.pem`),
});

export function clusterTlsPaths(dir: string): ClusterTls {
  return {
    caCert: join(dir, 'ca.pem'),
    frontend: pair(dir, 'frontend'),
    internode: pair(dir, 'internode'),
    systemWorker: pair(dir, 'system-worker'),
    client: pair(dir, 'factory-client'),
    webUi: pair(dir, 'web-ui'),
  };
}

/** Loads the material from `dir`, issuing all of it afresh when any file is missing. */
export function ensureClusterTls(dir: string): ClusterTls {
  const paths = clusterTlsPaths(dir);
  const files = [
    paths.caCert,
    ...[paths.frontend, paths.internode, paths.systemWorker, paths.client, paths.webUi].flatMap((p) => [
      p.cert,
      p.key,
    ]),
  ];
  if (files.every((file) => existsSync(file))) return paths;

  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const ca = createCertificateAuthority('Migration Factory Temporal Cluster CA');
  const write = (target: { cert: string; key: string }, issued: { certPem: string; keyPem: string }) => {
    writeFileSync(target.cert, issued.certPem);
    writeFileSync(target.key, issued.keyPem, { mode: 0o600 });
  };
  writeFileSync(paths.caCert, ca.certPem);
  write(paths.frontend, createServerCertificate(ca, ['localhost', FRONTEND_SERVER_NAME]));
  // A service dials its peers with the certificate it serves with: both extended key usages.
  write(
    paths.internode,
    createServerCertificate(ca, ['localhost', INTERNODE_SERVER_NAME], { clientAuth: true }),
  );
  write(paths.systemWorker, createClientCertificate(ca, 'temporal-system-worker'));
  write(paths.client, createClientCertificate(ca, 'migration-factory'));
  write(paths.webUi, createClientCertificate(ca, 'temporal-web-ui'));
  return paths;
}
