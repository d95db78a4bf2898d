/**
 * Preflight against the simulator: `factory preflight` (a child process, as an operator runs it) passes on
 * the demo's wave and names each failing check of a broken environment with exit 4; the wave's gate runs
 * the same checks, refuses a wave on a failing one, and lets it through once an operator waives that
 * check by name with a reason (real Temporal, workers in process).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planDemoWorkspace } from '../../cli/demo.ts';
import { approveWaveUpdate, waveProgressQuery } from '../../contracts/messages.ts';
import { resolveWaveSettings } from '../../contracts/wave-settings.ts';
import { demoScope, demoTarget } from '../../domain/demo.ts';
import type { PreflightReport } from '../../domain/preflight/checks.ts';
import { loadPlan } from '../../workspace/plan-files.ts';
import { SimulatorAdmin } from '../../simulators/admin-client.ts';
import { contributor } from '../../simulators/landing-zone/seed.ts';
import type { RunningWorkers } from '../../workers/run.ts';
import {
  cliEnv,
  demoBatchSettings,
  operator,
  refusal,
  runCli,
  seedWorkspace,
  startDemoWave,
  startHarness,
  startInProcessWorkers,
  waitFor,
  type Harness,
} from './harness.ts';

const target = demoTarget(demoScope);
const subscription = `/subscriptions/${demoScope.subscriptionId}`;

/** Knobs other helpers add to the admin client (agents, integration runtime): present once merged. */
type OtherKnobs = {
  setMobilityAgent?: (vmName: string, installed: boolean) => Promise<void>;
  setIntegrationRuntime?: (sqlMigrationServiceId: string, online: boolean) => Promise<void>;
};
const knobs = SimulatorAdmin.prototype as unknown as OtherKnobs;

describe('factory preflight (simulator, CLI child process)', () => {
  let harness: Harness;
  let workspace: string;
  let waveId: string;
  let firstVm: string;

  const preflight = async () => {
    const run = await runCli(['preflight', waveId, '--profile', 'simulator', '--json'], {
      cwd: workspace,
      env: { ...harness.workerEnv, ...cliEnv(harness) },
    });
    const report = JSON.parse(run.stdout || '{}') as PreflightReport & { ok: boolean };
    return { run, report, failing: report.checks?.filter((c) => !c.ok).map((c) => c.name) ?? [] };
  };
  const check = (report: PreflightReport, name: string) => report.checks.find((c) => c.name === name);

  beforeAll(async () => {
    workspace = await planDemoWorkspace(mkdtempSync(join(tmpdir(), 'mf-preflight-')));
    harness = await startHarness('preflight-cli', { speed: 1000 });
    await seedWorkspace(harness, workspace);
    const plan = await loadPlan(workspace);
    const wave = plan.waves.find((w) => w.databases.length > 0) ?? plan.waves[0]!;
    waveId = wave.id;
    const serverId = wave.batches[0]!.bootGroups[0]!.servers[0]!;
    firstVm = plan.servers.find((s) => s.id === serverId)!.name;
  });
  afterAll(async () => {
    await harness?.close();
  });

  it("passes on the demo's wave: every check, exit 0, one line per check without --json", async () => {
    const { run, report, failing } = await preflight();
    expect(failing, run.stdout + run.stderr).toEqual([]);
    expect(run.code).toBe(0);
    expect(report.ok).toBe(true);
    expect(report.checks.map((c) => c.name)).toEqual([
      'vault',
      'replication-fabric',
      'process-servers',
      'mobility-agents',
      'target-resource-group',
      'target-network',
      'target-subnet',
      'test-network',
      'cache-storage-account',
      'vcpu-quota',
      'sql-migration-runtime',
      'permissions',
    ]);
    const text = await runCli(['preflight', waveId, '--profile', 'simulator'], {
      cwd: workspace,
      env: { ...harness.workerEnv, ...cliEnv(harness) },
    });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('pass  target-subnet: subnet');
    expect(text.stdout).toContain('All 12 checks pass.');
  });

  it('reads per wave: a second run costs the same few ARM reads, none per VM', async () => {
    const before = (await harness.admin.state()).armRequests;
    await preflight();
    const after = (await harness.admin.state()).armRequests;
    const reads = after.reads - before.reads;
    // vault health, fabrics, 5 resources, usages, SKUs, SQL service, a permission list per group.
    expect(reads).toBeLessThanOrEqual(20);
    expect(
      after.byOperation.ReplicationFabrics_List! - (before.byOperation.ReplicationFabrics_List ?? 0),
    ).toBe(1);
    expect(after.writes).toBe(before.writes);
  });

  it('names a quota too small for the wave (exit 4, --json)', async () => {
    const settings = resolveWaveSettings({ profile: 'simulator', databases: false });
    await harness.admin.setQuotaLimit(settings.location, 'cores', 4);
    const { run, report, failing } = await preflight().finally(() =>
      harness.admin.setQuotaLimit(settings.location, 'cores', 1_000_000),
    );
    expect(run.code).toBe(4);
    expect(report.ok).toBe(false);
    expect(failing).toEqual(['vcpu-quota']);
    expect(check(report, 'vcpu-quota')?.detail).toMatch(
      /Total Regional vCPUs \(cores\): the wave needs \d+, 4 of 4 free/,
    );
    expect(check(report, 'vcpu-quota')?.fix).toContain('quota increase');
  });

  it('names a missing permission, with ARM wildcards and notActions evaluated (exit 4)', async () => {
    const denied = 'Microsoft.RecoveryServices/vaults/replicationRecoveryPlans/write';
    await harness.admin.setPermissions(subscription, [
      {
        ...contributor,
        notActions: [
          ...contributor.notActions,
          'Microsoft.RecoveryServices/*/replicationRecoveryPlans/write',
        ],
      },
    ]);
    const group = `${subscription}/resourceGroups/${demoScope.resourceGroup}`;
    try {
      const { run, report, failing } = await preflight();
      expect(run.code).toBe(4);
      expect(failing).toEqual(['permissions']);
      expect(check(report, 'permissions')?.detail).toContain(`${demoScope.resourceGroup}: ${denied}`);
      expect(check(report, 'permissions')?.detail).not.toContain('replicationRecoveryPlans/read');
      // A second role granting it back (notActions narrow only their own role).
      await harness.admin.setPermissions(group, [
        { actions: ['Microsoft.RecoveryServices/vaults/replicationRecoveryPlans/*'] },
      ]);
      expect((await preflight()).failing).toEqual([]);
    } finally {
      await harness.admin.setPermissions(group, []);
      await harness.admin.setPermissions(subscription, [contributor]);
    }
  });

  it.runIf(typeof knobs.setMobilityAgent === 'function')(
    'names a VM without a mobility agent (exit 4)',
    async () => {
      await (harness.admin as unknown as Required<OtherKnobs>).setMobilityAgent(firstVm, false);
      const { run, report, failing } = await preflight();
      expect(run.code).toBe(4);
      expect(failing).toEqual(['mobility-agents']);
      expect(check(report, 'mobility-agents')?.detail).toContain(firstVm);
      await (harness.admin as unknown as Required<OtherKnobs>).setMobilityAgent(firstVm, true);
    },
  );

  it.runIf(typeof knobs.setIntegrationRuntime === 'function')(
    'names an offline integration runtime and prints the auth key command (exit 4)',
    async () => {
      const settings = resolveWaveSettings({ profile: 'simulator', databases: true });
      const serviceId = settings.databases!.services.sqlMigrationServiceId;
      const admin = harness.admin as unknown as Required<OtherKnobs>;
      await admin.setIntegrationRuntime(serviceId, false);
      const { run, report, failing } = await preflight();
      expect(run.code).toBe(4);
      expect(failing).toEqual(['sql-migration-runtime']);
      expect(check(report, 'sql-migration-runtime')?.detail).toContain('Offline');
      expect(check(report, 'sql-migration-runtime')?.fix).toContain(
        'az datamigration sql-service list-auth-key',
      );
      await admin.setIntegrationRuntime(serviceId, true);
    },
  );

  it('names a missing subnet (exit 4) and says how to create it', async () => {
    await harness.admin.deleteSubnet(target.networkId, target.subnetName);
    const { run, report, failing } = await preflight();
    expect(run.code).toBe(4);
    expect(failing).toEqual(['target-subnet']);
    expect(check(report, 'target-subnet')?.detail).toContain('NotFound');
    expect(check(report, 'target-subnet')?.fix).toContain(`--name ${target.subnetName}`);
  });
});

describe("the wave's gate runs preflight (Temporal + simulator)", () => {
  let harness: Harness;
  let workers: RunningWorkers;
  const waveId = 'wave-preflight-gate';

  beforeAll(async () => {
    harness = await startHarness('preflight-gate', { speed: 1000 });
    workers = await startInProcessWorkers(harness);
  });
  afterAll(async () => {
    await workers?.shutdown();
    await harness?.close();
  });

  it('refuses the gate on a failed check with the list, then proceeds after that check is waived by name', async () => {
    // The demo wave's database VMs are Standard_E8s_v5: leave the ESv5 family no room.
    await harness.admin.setQuotaLimit(demoScope.location, 'standardESv5Family', 8);
    const handle = await startDemoWave(
      harness.client,
      waveId,
      { ...demoBatchSettings, azureTaskQueue: harness.azureTaskQueue },
      harness.taskQueue,
    );
    const refused = await waitFor('the gate to refuse', async () => {
      const progress = await handle.query(waveProgressQuery);
      return progress.phase === 'gate-refused' ? progress : undefined;
    });
    expect(refused.gate?.preflight?.map((c) => c.name)).toEqual(['vcpu-quota']);
    expect(refused.detail).toContain('preflight failed');
    expect(refused.detail).toContain('FAIL  vcpu-quota: westeurope: Standard ESv5 Family vCPUs');

    // A waiver must name a real check, with a reason.
    expect(
      await refusal(
        handle.executeUpdate(approveWaveUpdate, {
          args: [{ ...operator, preflightWaivers: [{ check: 'vcpu-quotas', reason: 'typo' }] }],
        }),
      ),
    ).toContain("no preflight check 'vcpu-quotas'");

    const answer = await handle.executeUpdate(approveWaveUpdate, {
      args: [
        { ...operator, preflightWaivers: [{ check: 'vcpu-quota', reason: 'increase approved, CHG-9' }] },
      ],
    });
    expect(answer).toBe(`Wave ${waveId} approved by ${operator.by}.`);
    const passed = await waitFor('the wave past its gate', async () => {
      const progress = await handle.query(waveProgressQuery);
      return progress.phase === 'running-batches' ? progress : undefined;
    });
    expect(passed.gate?.preflight).toEqual([]);
    expect(passed.gate?.waivedChecks).toEqual([
      { check: 'vcpu-quota', reason: 'increase approved, CHG-9', by: operator.by },
    ]);
    await handle.terminate('preflight gate test done');
  });
});
