import { createHttpHeaders, createPipelineRequest, type HttpClient } from '@azure/core-rest-pipeline';
import { ServiceClient } from '@azure/core-client';
import { describe, expect, it } from 'vitest';
import { armBudget, armBudgetPolicy, armRequestKind, TokenBucket } from '../../workers/arm-budget.ts';
import { WorkerMetrics } from '../../workers/arm-metrics.ts';
import { parseMetrics, sample } from '../prometheus-text.ts';

describe('ARM budget pacing', () => {
  it('lends tokens ahead: callers past the burst wait for the refill, in order', () => {
    const bucket = new TokenBucket(2, 2, 0);
    expect([bucket.take(0), bucket.take(0), bucket.take(0), bucket.take(0)]).toEqual([0, 0, 500, 1000]);
    // Two seconds later the debt (2 tokens) is repaid and the bucket holds 2 again.
    expect(bucket.take(3000)).toBe(0);
  });

  it('charges requests to the bucket ARM throttles them by', () => {
    expect(['GET', 'HEAD', 'PUT', 'PATCH', 'POST', 'DELETE'].map(armRequestKind)).toEqual([
      'reads',
      'reads',
      'writes',
      'writes',
      'writes',
      'deletes',
    ]);
  });

  it('holds requests past the budget in the client instead of sending them', async () => {
    const sentAt: number[] = [];
    const httpClient: HttpClient = {
      sendRequest: (request) => {
        sentAt.push(Date.now());
        return Promise.resolve({ request, status: 200, headers: createHttpHeaders() });
      },
    };
    const client = new ServiceClient({ httpClient });
    client.pipeline.addPolicy(armBudgetPolicy(armBudget({ reads: 4, writes: 1, deletes: 1 })), {
      afterPhase: 'Retry',
    });
    const started = Date.now();
    await Promise.all(
      Array.from({ length: 6 }, () =>
        client.sendRequest(createPipelineRequest({ url: 'https://arm.invalid/x', method: 'GET' })),
      ),
    );
    // Four go at once (the burst); the fifth and sixth wait 250 and 500 ms for refills.
    expect(sentAt.filter((t) => t - started < 100)).toHaveLength(4);
    expect(Math.max(...sentAt) - started).toBeGreaterThanOrEqual(450);
  });

  it('counts every attempt by ARM operation and answer (the 429 and its retry), and the requests waiting for the budget', async () => {
    const metrics = new WorkerMetrics();
    let answered = 0;
    const httpClient: HttpClient = {
      sendRequest: (request) =>
        Promise.resolve({
          request,
          // The first attempt is throttled; the SDK's retry policy sends it again.
          status: answered++ === 0 ? 429 : 200,
          headers: createHttpHeaders({ 'retry-after': '0', 'content-type': 'application/json' }),
          bodyAsText: '{}',
        }),
    };
    const client = new ServiceClient({ httpClient });
    client.pipeline.addPolicy(armBudgetPolicy(armBudget({ reads: 1, writes: 1, deletes: 1 }, metrics)), {
      afterPhase: 'Retry',
    });
    const plan =
      'https://arm.invalid/subscriptions/s/resourceGroups/rg/providers/Microsoft.RecoveryServices/vaults/v/replicationRecoveryPlans/rp-1';
    const scrape = async () => parseMetrics(await metrics.registry.metrics());
    // Three writes on a budget of one a second: the later attempts wait their turn.
    const sent = Promise.all(
      [plan, `${plan}/testFailover`, `${plan}/testFailover`].map((url, index) =>
        client.sendRequest(createPipelineRequest({ url, method: index === 0 ? 'PUT' : 'POST' })),
      ),
    );
    const waitingSeen = await (async () => {
      for (;;) {
        const waiting = sample(await scrape(), 'factory_arm_budget_waiting_requests', { kind: 'writes' });
        if (waiting !== undefined && waiting > 0) return waiting;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    expect(waitingSeen).toBeGreaterThan(0);
    await sent;
    const samples = await scrape();
    const write = 'Microsoft.RecoveryServices/vaults/replicationRecoveryPlans/write';
    const action = 'Microsoft.RecoveryServices/vaults/replicationRecoveryPlans/testFailover/action';
    expect(
      sample(samples, 'factory_arm_requests_total', { operation: write, kind: 'writes', code: '429' }),
    ).toBe(1);
    expect(
      sample(samples, 'factory_arm_requests_total', { operation: write, kind: 'writes', code: '200' }),
    ).toBe(1);
    expect(
      sample(samples, 'factory_arm_requests_total', { operation: action, kind: 'writes', code: '200' }),
    ).toBe(2);
    expect(sample(samples, 'factory_arm_throttled_total', { operation: write })).toBe(1);
    expect(sample(samples, 'factory_arm_budget_waiting_requests', { kind: 'writes' })).toBe(0);
    expect(sample(samples, 'factory_arm_budget_wait_seconds_total', { kind: 'writes' })).toBeGreaterThan(0);
    expect(sample(samples, 'factory_arm_request_duration_seconds_count', { kind: 'writes' })).toBe(4);
  });
});
