/**
 * Typed client of the simulator's admin API. Uses node:https with the simulator's CA (Node 20's fetch
 * cannot take a custom CA per call).
 */
import { request } from 'node:https';
import type { AzureScope } from '../domain/demo.ts';
import type { SourceSite } from '../domain/estate.ts';
import type { StateSummary } from './admin.ts';
import type { AuditEntry } from './audit.ts';
import type { DatabaseSeed, DatabaseSeedResult } from './data-migration/seed.ts';
import type { FaultConfig, FaultConfigInput, FaultRule } from './faults.ts';
import type { PermissionInput } from './landing-zone/admin.ts';
import type { SeedOptions, SeedResult } from './site-recovery/environment.ts';

export type {
  StateSummary,
  AuditEntry,
  FaultRule,
  FaultConfig,
  FaultConfigInput,
  SeedResult,
  SeedOptions,
  DatabaseSeed,
  DatabaseSeedResult,
  PermissionInput,
};

export interface Health {
  status: 'ok';
  simulatedTime: string;
  speed: number;
}

export class SimulatorAdminError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    method: string,
    path: string,
  ) {
    super(`simulator admin ${method} ${path} answered ${status}: ${body}`);
    this.name = 'SimulatorAdminError';
  }
}

export class SimulatorAdmin {
  private readonly base: URL;

  constructor(
    endpoint: string,
    private readonly caCertPem: string,
  ) {
    this.base = new URL(endpoint);
  }

  health(): Promise<Health> {
    return this.call('GET', '/health');
  }

  /** Seeds the vault, fabric and VMware site; `options.withoutMobilityAgent` names VMs seeded without an agent. */
  seed(scope: AzureScope, site: SourceSite, options: SeedOptions = {}): Promise<SeedResult> {
    return this.call('PUT', '/admin/environment', { scope, site, ...options });
  }

  /** Installs (registers with the appliance) or removes the mobility agent of the source VM named `vmName`. */
  async setMobilityAgent(vmName: string, installed: boolean): Promise<void> {
    await this.call('PUT', '/admin/mobility-agent', { vmName, installed });
  }

  audit(since = 0): Promise<{ entries: AuditEntry[] }> {
    return this.call('GET', `/admin/audit?since=${since}`);
  }

  invariants(): Promise<{ violations: string[] }> {
    return this.call('GET', '/admin/invariants');
  }

  state(): Promise<StateSummary> {
    return this.call('GET', '/admin/state');
  }

  setSpeed(speed: number): Promise<{ simulatedTime: string; speed: number }> {
    return this.call('PUT', '/admin/clock', { speed });
  }

  /**
   * Moves simulated time forward by `seconds` at once and applies everything due by then: tests use it
   * instead of waiting real time at a high speed, so how much simulated time passed never depends on load.
   */
  advanceClock(seconds: number): Promise<{ simulatedTime: string; speed: number }> {
    return this.call('POST', '/admin/clock/advance', { seconds });
  }

  /** Replaces the fault configuration with per-operation failure rates only. */
  setFaults(rules: FaultRule[]): Promise<FaultConfig> {
    return this.call('PUT', '/admin/faults', { rules });
  }

  /** Replaces the whole fault configuration (see docs/simulator.md, "Faults"). */
  configureFaults(config: FaultConfigInput): Promise<FaultConfig> {
    return this.call('PUT', '/admin/faults', config);
  }

  faults(): Promise<FaultConfig> {
    return this.call('GET', '/admin/faults');
  }

  /** Starts a 429 storm now: every ARM request is throttled for `durationSeconds` (real time). */
  startStorm(durationSeconds: number, retryAfterSeconds = 1): Promise<FaultConfig> {
    return this.call('POST', '/admin/faults/storm', { durationSeconds, retryAfterSeconds });
  }

  seedDatabases(seed: DatabaseSeed): Promise<DatabaseSeedResult> {
    return this.call('PUT', '/admin/databases', seed);
  }

  /**
   * Someone installed a self-hosted integration runtime and registered it with the service's auth key
   * (`online: true`), or its nodes went offline (`false`): the service's `integrationRuntimeState`
   * becomes `Online` / `Offline`, and migrations on it start, or fail with `IntegrationRuntimeIsNotOnline`.
   */
  async setIntegrationRuntime(sqlMigrationServiceId: string, online: boolean): Promise<void> {
    await this.call('PUT', '/admin/integration-runtime', { sqlMigrationServiceId, online });
  }

  /**
   * Stores a new version of each secret in the simulator's Key Vault (its URL is the simulator's endpoint)
   * and answers each new version's secret id (`<vault-url>/secrets/<name>/<version>`). `keepExisting`
   * leaves a secret that already has a version as it is (and answers that version's id).
   */
  seedSecrets(
    secrets: Record<string, string>,
    options: { keepExisting?: boolean } = {},
  ): Promise<{ vaultUrl: string; secrets: Record<string, string> }> {
    return this.call('PUT', '/admin/key-vault/secrets', { secrets, ...options });
  }

  /** Deletes a subnet of a seeded virtual network (preflight's subnet check then fails). */
  async deleteSubnet(networkId: string, subnetName: string): Promise<void> {
    await this.call('DELETE', '/admin/landing-zone/subnet', { networkId, subnetName });
  }

  /** Deletes a seeded resource group, virtual network or storage account by ARM id. */
  async deleteResource(id: string): Promise<void> {
    await this.call('DELETE', '/admin/landing-zone/resource', { id });
  }

  /** Sets the limit of a compute usage (`cores`, `standardDSv5Family`, …) in a region. */
  async setQuotaLimit(location: string, usageName: string, limit: number): Promise<void> {
    await this.call('PUT', '/admin/landing-zone/quota', { location, name: usageName, limit });
  }

  /**
   * Replaces what `principal` (default: every caller) holds at `scope` (a subscription or resource group
   * id) with `permissions`; an empty list removes the assignment. The seed grants Contributor on the
   * subscription to every caller.
   */
  async setPermissions(scope: string, permissions: PermissionInput[], principal = '*'): Promise<void> {
    await this.call('PUT', '/admin/landing-zone/permissions', { scope, principal, permissions });
  }

  private call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const url = new URL(path, this.base);
    return new Promise<T>((resolve, reject) => {
      const req = request(
        url,
        {
          method,
          ca: this.caCertPem,
          agent: false,
          headers: {
            accept: 'application/json',
            ...(payload === undefined
              ? {}
              : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const status = res.statusCode ?? 0;
            if (status < 200 || status >= 300) {
              reject(new SimulatorAdminError(status, text, method, path));
              return;
            }
            try {
              resolve(JSON.parse(text) as T);
            } catch (error) {
              reject(error instanceof Error ? error : new Error(String(error)));
            }
          });
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }
}
