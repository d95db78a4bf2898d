import { RestError } from '@azure/core-rest-pipeline';
import { Context } from '@temporalio/activity';
import { MockActivityEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import { asAzureActivities } from '../../activities/azure-errors.ts';

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
