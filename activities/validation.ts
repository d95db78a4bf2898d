/**
 * Built-in validation checks run against test-failover and migrated VMs: an HTTP probe (status code) and a
 * TCP probe (port accepts connections). Further checks plug in as activities with the same shape.
 */
import { connect } from 'node:net';
import type { ValidationCheck, ValidationResult } from '../domain/migration.ts';

export interface ValidationDeps {
  timeoutMs: number;
}

function probeTcp(host: string, port: number, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    socket.once('connect', () => {
      socket.destroy();
      resolve(`${host}:${port} accepts connections`);
    });
    socket.once('timeout', () => {
      socket.destroy();
      reject(new Error(`${host}:${port} did not answer within ${timeoutMs} ms`));
    });
    socket.once('error', (error) => reject(new Error(`${host}:${port}: ${error.message}`)));
  });
}

async function probeHttp(url: string, expectStatus: number, timeoutMs: number): Promise<string> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
  await response.body?.cancel();
  if (response.status !== expectStatus)
    throw new Error(`${url} answered ${response.status}, expected ${expectStatus}`);
  return `${url} answered ${response.status}`;
}

export function createValidationActivities(deps: ValidationDeps) {
  return {
    /** Runs every check (all of them, so the operator sees every failure at once) and reports each. */
    async runValidationChecks(input: { checks: ValidationCheck[] }): Promise<ValidationResult[]> {
      return Promise.all(
        input.checks.map(async (check): Promise<ValidationResult> => {
          try {
            const detail =
              check.kind === 'http'
                ? await probeHttp(check.url, check.expectStatus ?? 200, deps.timeoutMs)
                : await probeTcp(check.host, check.port, deps.timeoutMs);
            return { name: check.name, ok: true, detail };
          } catch (error) {
            return {
              name: check.name,
              ok: false,
              detail: error instanceof Error ? error.message : String(error),
            };
          }
        }),
      );
    },
  };
}

export type ValidationActivities = ReturnType<typeof createValidationActivities>;
