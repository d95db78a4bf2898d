/**
 * Source-platform activities: the small vSphere Automation REST subset the factory needs to put source
 * VMs back in service on rollback (session, list by name, power on).
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { request } from 'node:https';
import { ErrorType } from '../contracts/errors.ts';

export interface SourcePlatformDeps {
  /** e.g. https://vcenter01.contoso.local */
  baseUrl?: string;
  username: string;
  password: string;
  /** Extra CA (PEM) to trust, for vCenters with an internal CA. */
  ca?: string;
}

interface VsphereVmSummary {
  vm: string;
  name: string;
  power_state: 'POWERED_ON' | 'POWERED_OFF' | 'SUSPENDED';
}

/** A vCenter that does not answer within this long is treated as unreachable (the attempt is retried). */
const requestTimeoutMs = 30_000;

export function createSourcePlatformActivities(deps: SourcePlatformDeps) {
  function call<T>(
    method: string,
    path: string,
    headers: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<T> {
    if (!deps.baseUrl) {
      throw ApplicationFailure.create({
        type: ErrorType.sourcePlatformNotConfigured,
        message:
          'No source platform configured: set VCENTER_URL (and VCENTER_USERNAME / VCENTER_PASSWORD_SECRET).',
        nonRetryable: true,
      });
    }
    const url = new URL(path, deps.baseUrl);
    return new Promise<T>((resolve, reject) => {
      const req = request(
        url,
        { method, headers, ca: deps.ca, timeout: requestTimeoutMs, ...(signal ? { signal } : {}) },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) {
              resolve((body ? JSON.parse(body) : undefined) as T);
              return;
            }
            const failure = ApplicationFailure.create({
              type: `Vsphere.Http${status}`,
              message: `vCenter ${method} ${url.pathname} answered ${status}: ${body.slice(0, 500)}`,
              // Authentication and bad requests do not heal by retrying; 5xx and throttling may.
              nonRetryable: status >= 400 && status < 500 && status !== 429,
            });
            reject(failure);
          });
        },
      );
      req.on('timeout', () =>
        req.destroy(
          new Error(`vCenter ${method} ${url.pathname} did not answer within ${requestTimeoutMs} ms`),
        ),
      );
      req.on('error', reject);
      req.end();
    });
  }

  /**
   * Runs `work` in a vSphere session and always ends the session: vCenter keeps a bounded number of
   * sessions per user, and every rollback opening one and leaving it would exhaust them.
   */
  async function inSession<T>(work: (headers: Record<string, string>) => Promise<T>): Promise<T> {
    const signal = activitySignal();
    const basic = Buffer.from(`${deps.username}:${deps.password}`).toString('base64');
    const token = await call<string>('POST', '/api/session', { authorization: `Basic ${basic}` }, signal);
    const headers = { 'vmware-api-session-id': token };
    try {
      return await work(headers);
    } finally {
      // Not aborted with the attempt: a cancelled attempt still logs out.
      await call('DELETE', '/api/session', headers).catch(() => undefined);
    }
  }

  return {
    /** Powers on the named source VMs that are off; returns the names it started. Idempotent. */
    async powerOnSourceVms(input: { vmNames: string[] }): Promise<{ started: string[] }> {
      return inSession(async (headers) => {
        const signal = activitySignal();
        const query = input.vmNames.map((name) => `names=${encodeURIComponent(name)}`).join('&');
        const vms = await call<VsphereVmSummary[]>('GET', `/api/vcenter/vm?${query}`, headers, signal);
        const missing = input.vmNames.filter((name) => !vms.some((vm) => vm.name === name));
        if (missing.length > 0) {
          throw ApplicationFailure.create({
            type: ErrorType.sourceVmNotFound,
            message: `vCenter has no VM named ${missing.join(', ')}`,
            nonRetryable: true,
          });
        }
        const started: string[] = [];
        for (const vm of vms.filter((v) => v.power_state !== 'POWERED_ON')) {
          await call(
            'POST',
            `/api/vcenter/vm/${encodeURIComponent(vm.vm)}/power?action=start`,
            headers,
            signal,
          );
          started.push(vm.name);
        }
        return { started };
      });
    },
  };
}

/** The running attempt's cancellation (none when called outside an activity, e.g. by tools). */
function activitySignal(): AbortSignal | undefined {
  try {
    return Context.current().cancellationSignal;
  } catch {
    return undefined;
  }
}

export type SourcePlatformActivities = ReturnType<typeof createSourcePlatformActivities>;
