import { describe, expect, it } from 'vitest';
import { auditFindings, classifyFailure } from '../../bench/metrics.ts';
import type { AuditEntry } from '../../simulators/audit.ts';

const item = (name: string) =>
  `/subscriptions/s/resourceGroups/rg/providers/Microsoft.RecoveryServices/vaults/v/replicationFabrics/f/replicationProtectionContainers/c/replicationProtectedItems/${name}?api-version=2023-06-01`;

let seq = 0;
const put = (name: string, outcome: AuditEntry['outcome'], status = outcome === 'noop' ? 200 : 202) =>
  ({
    seq: seq++,
    time: '2026-01-01T00:00:00Z',
    principal: 'worker',
    method: 'PUT',
    path: item(name),
    operation: 'ReplicationProtectedItems_Create',
    resourceId: item(name),
    status,
    outcome,
  }) as AuditEntry;

describe('bench audit findings', () => {
  it('counts an enable twice only when two PUTs created it, not when a retried PUT found it', () => {
    const findings = auditFindings(
      [put('vm-a', 'created'), put('vm-a', 'noop'), put('vm-b', 'created'), put('vm-b', 'created')],
      () => 0,
    );
    expect(findings.duplicateEnables).toEqual(['vm-b: 2 enables']);
  });

  it('classifies ARM failure messages by cause', () => {
    expect(classifyFailure('The service is temporarily unavailable. Please retry the request.')).toBe(
      'transient Azure error (5xx)',
    );
    expect(classifyFailure("Number of 'reads' requests for subscription 's' exceeded")).toBe(
      'throttling (429)',
    );
    expect(classifyFailure('Activity task timed out')).toBe(
      'worker lost (heartbeat / start-to-close timeout)',
    );
    expect(classifyFailure('something nobody expected')).toBe('unexplained');
  });
});
