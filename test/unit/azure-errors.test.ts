import { RestError } from '@azure/core-rest-pipeline';
import { MockActivityEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import { waitingOutThrottling } from '../../activities/azure-errors.ts';

const throttled = () => new RestError('Number of requests exceeded', { statusCode: 429 });

describe('waitingOutThrottling', () => {
  it('waits out 429s and runs the activity again in the same attempt, heartbeating', async () => {
    let runs = 0;
    const heartbeats: unknown[] = [];
    const env = new MockActivityEnvironment();
    env.on('heartbeat', (details: unknown) => heartbeats.push(details));
    const activities = waitingOutThrottling({
      read: (): Promise<string> => {
        runs += 1;
        return runs < 3 ? Promise.reject(throttled()) : Promise.resolve('read');
      },
    });
    await expect(env.run(activities.read)).resolves.toBe('read');
    expect(runs).toBe(3);
    // 1 s then 2 s of waiting, heartbeating every second.
    expect(heartbeats).toContainEqual({ throttled: 2 });
  });

  it('lets every other failure through at once', async () => {
    let runs = 0;
    const activities = waitingOutThrottling({
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
    const activities = waitingOutThrottling({ read: () => Promise.reject<string>(throttled()) });
    const running = env.run(activities.read);
    setTimeout(() => env.cancel(), 300);
    await expect(running).rejects.toThrow();
  });
});
