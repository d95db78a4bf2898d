import { createHttpHeaders, createPipelineRequest, RestError } from '@azure/core-rest-pipeline';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import {
  asAzureActivities,
  azureErrorCode,
  azureErrorDetail,
  toActivityFailure,
} from '../../activities/azure-errors.ts';
import { ArmRest } from '../../activities/arm-rest.ts';

/** Site Recovery's envelope, as recorded in azure-rest-api-specs#12759. */
const siteRecoveryBody = {
  error: {
    code: 'BadRequest',
    message: 'Fabric with name f1 could not be located.',
    details: [
      {
        code: 'FabricArmEntityMissing',
        message: 'Fabric with name f1 could not be located.',
        possibleCauses: 'The fabric might have been unregistered from the vault.',
        recommendedAction: 'Retry the operation with a valid site.',
        activityId: '689647ac-7f72-7f8b-e344-93183a09e18a',
      },
    ],
  },
};

/** A RestError as core-client throws it for a generated SDK call: top-level code, body in the response. */
function sdkError(status: number, body: unknown): RestError {
  const request = createPipelineRequest({ url: 'https://management.azure.com/x' });
  const top = (body as { error?: { code?: string; message?: string } }).error;
  return new RestError(top?.message ?? 'failed', {
    statusCode: status,
    code: top?.code,
    request,
    response: {
      request,
      status,
      headers: createHttpHeaders(),
      bodyAsText: JSON.stringify(body),
      parsedBody: body,
    } as RestError['response'],
  });
}

describe('azureErrorCode', () => {
  it("reads Site Recovery's specific code from error.details, not the generic top-level code", () => {
    const error = sdkError(400, siteRecoveryBody);
    expect(error.code).toBe('BadRequest');
    expect(azureErrorCode(error)).toBe('FabricArmEntityMissing');
    expect(azureErrorDetail(error)).toEqual({
      code: 'FabricArmEntityMissing',
      message: 'Fabric with name f1 could not be located.',
      possibleCauses: 'The fabric might have been unregistered from the vault.',
      recommendedAction: 'Retry the operation with a valid site.',
    });
  });

  it('reads the top-level code of services without details, and the RestError code without a body', () => {
    expect(azureErrorCode(sdkError(409, { error: { code: 'MigrationStillValidating', message: 'm' } }))).toBe(
      'MigrationStillValidating',
    );
    expect(azureErrorCode(new RestError('throttled', { statusCode: 429, code: 'TooManyRequests' }))).toBe(
      'TooManyRequests',
    );
    expect(azureErrorCode(new Error('not a RestError'))).toBeUndefined();
  });

  it('reads the details ArmRest.send keeps from the response body', async () => {
    const rest = new ArmRest(
      {
        sendRequest: (request) =>
          Promise.resolve({
            request,
            status: 409,
            headers: createHttpHeaders(),
            bodyAsText: JSON.stringify({
              error: {
                code: 'Conflict',
                message: 'busy',
                details: [{ code: 'OperationInProgress', message: 'busy', recommendedAction: 'Wait.' }],
              },
            }),
          }),
      },
      'https://management.azure.com',
      10,
    );
    const error = await rest.send('POST', rest.url('/x/remove', '2023-06-01')).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(RestError);
    expect((error as RestError).code).toBe('Conflict');
    expect(azureErrorCode(error)).toBe('OperationInProgress');
  });

  it('puts the specific code and the recommended action into the activity failure', () => {
    const failure = toActivityFailure(sdkError(400, siteRecoveryBody), 'discover replication site');
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({
      type: 'Azure.FabricArmEntityMissing',
      nonRetryable: true,
      message: expect.stringMatching(
        /discover replication site: Azure answered 400 FabricArmEntityMissing: .*Recommended action: Retry the operation with a valid site\./,
      ) as string,
      details: [
        {
          statusCode: 400,
          code: 'FabricArmEntityMissing',
          recommendedAction: 'Retry the operation with a valid site.',
        },
      ],
    });
  });
});

const throttled = () => new RestError('Number of requests exceeded', { statusCode: 429 });

describe('asAzureActivities', () => {
  it('waits out 429s and runs the activity again in the same attempt, heartbeating', async () => {
    let runs = 0;
    const heartbeats: unknown[] = [];
    const env = new MockActivityEnvironment();
    env.on('heartbeat', (details: unknown) => heartbeats.push(details));
    const activities = asAzureActivities({
      read: (): Promise<string> => {
        runs += 1;
        return runs < 3 ? Promise.reject(throttled()) : Promise.resolve('read');
      },
    });
    await expect(env.run(activities.read)).resolves.toBe('read');
    expect(runs).toBe(3);
    // 1 s then 2 s of waiting, heartbeating every second with the attempt's latest details.
    expect(heartbeats.length).toBeGreaterThanOrEqual(2);
  });

  it('keeps the attempt alive with its latest heartbeat details while a call is slow', async () => {
    const heartbeats: unknown[] = [];
    const env = new MockActivityEnvironment();
    env.on('heartbeat', (details: unknown) => heartbeats.push(details));
    const activities = asAzureActivities({
      slow: async (): Promise<void> => {
        Context.current().heartbeat({ poller: 'state-1' });
        await new Promise((resolve) => setTimeout(resolve, 2500));
      },
    });
    await env.run(activities.slow);
    expect(
      heartbeats.filter((d) => JSON.stringify(d) === '{"poller":"state-1"}').length,
    ).toBeGreaterThanOrEqual(2);
  });

  it('lets every other failure through at once', async () => {
    let runs = 0;
    const activities = asAzureActivities({
      write: (): Promise<void> => {
        runs += 1;
        return Promise.reject(new RestError('Conflict', { statusCode: 409 }));
      },
    });
    await expect(new MockActivityEnvironment().run(activities.write)).rejects.toThrow('Conflict');
    expect(runs).toBe(1);
  });

  it('stops waiting when the attempt is cancelled', async () => {
    const env = new MockActivityEnvironment();
    const activities = asAzureActivities({ read: () => Promise.reject<string>(throttled()) });
    const running = env.run(activities.read);
    setTimeout(() => env.cancel(), 300);
    await expect(running).rejects.toThrow();
  });
});
