/**
 * The admin clock step: tests move simulated time forward explicitly instead of sleeping at a high speed,
 * so what has happened never depends on how loaded the machine is.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatorAdminError } from '../../simulators/admin-client.ts';
import { enableInput, poll, scope, startTestSimulator, type TestSimulator } from './helpers.ts';

describe('advancing the simulated clock', () => {
  let t: TestSimulator | undefined;
  afterEach(async () => {
    await t?.dispose();
    t = undefined;
  });

  it('moves time forward at once, keeps the speed, and applies what fell due', async () => {
    // One simulated second per real second: without the step, replication would take days.
    t = await startTestSimulator({ speed: 1 });
    const args = [scope.vaultName, scope.resourceGroup, t.seed.fabricName, t.seed.containerName] as const;
    const vm = t.site.vms[0]!.name;
    await t.client.replicationProtectedItems.beginCreate(...args, vm, enableInput(t, vm), poll);
    const before = await t.admin.health();
    const stepped = await t.admin.advanceClock(30 * 86_400);
    expect(stepped.speed).toBe(1);
    const movedMs = Date.parse(stepped.simulatedTime) - Date.parse(before.simulatedTime);
    expect(movedMs).toBeGreaterThanOrEqual(30 * 86_400_000);
    expect(movedMs).toBeLessThan(30 * 86_400_000 + 60_000);
    const item = await t.client.replicationProtectedItems.get(...args, vm);
    expect(item.properties?.protectionState).toBe('Protected');
  });

  it('refuses to move backwards', async () => {
    t = await startTestSimulator();
    const refused: unknown = await t.admin.advanceClock(-1).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(SimulatorAdminError);
    expect((refused as SimulatorAdminError).status).toBe(400);
  });
});
