import { createHttpHeaders, createPipelineRequest, type HttpClient } from '@azure/core-rest-pipeline';
import { ServiceClient } from '@azure/core-client';
import { describe, expect, it } from 'vitest';
import { armBudget, armBudgetPolicy, armRequestKind, TokenBucket } from '../../workers/arm-budget.ts';

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
});
