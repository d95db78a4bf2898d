/**
 * Plan activities: the wave and batch workflows load their manifests from the workspace's plan, pinned by
 * content hash, so every retry and replay sees the same data and the histories stay small.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { PlanRef, WaveManifest } from '../contracts/workflow-inputs.ts';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { loadAssessmentInput, loadPlan, PLAN_FILE, planSha256 } from '../workspace/plan-files.ts';
import { loadEstate } from '../workspace/files.ts';
import type { BatchSpec } from '../domain/migration.ts';
import { databaseSpecsFromPlan, type DatabaseTargetConvention } from '../domain/plan/database-specs.ts';
import { batchSpecsFromPlan } from '../domain/plan/batch-specs.ts';
import type { Plan } from '../domain/plan/plan-schema.ts';
import { evaluateWaveGate, type Waiver } from '../domain/plan/wave-gate.ts';
import { ErrorType } from '../contracts/errors.ts';

/**
 * The last verified plan per workspace, while its file is unchanged (same size and mtime): hashing a
 * 10,000-VM plan takes a good part of a second, and every batch of every wave loads it.
 */
const verifiedPlans = new Map<string, { mtimeMs: number; size: number; sha256: string; plan: Plan }>();

async function pinnedPlan(ref: PlanRef): Promise<Plan> {
  const file = await stat(join(ref.workspace, PLAN_FILE));
  const cached = verifiedPlans.get(ref.workspace);
  if (cached && cached.mtimeMs === file.mtimeMs && cached.size === file.size && cached.sha256 === ref.sha256)
    return cached.plan;
  const plan = await loadPlan(ref.workspace);
  const actual = planSha256(plan);
  if (actual !== ref.sha256) {
    throw ApplicationFailure.create({
      type: 'PlanChanged',
      message: `The plan in ${ref.workspace} changed since the wave started (sha256 ${actual}, pinned ${ref.sha256}); restore it or start a new wave run.`,
      nonRetryable: true,
    });
  }
  verifiedPlans.set(ref.workspace, { mtimeMs: file.mtimeMs, size: file.size, sha256: actual, plan });
  return plan;
}

function asFailure<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    throw ApplicationFailure.create({
      type: ErrorType.planInvalid,
      message: error instanceof Error ? error.message : String(error),
      nonRetryable: true,
    });
  }
}

export function createPlanActivities() {
  return {
    async loadWaveManifest(input: {
      plan: PlanRef;
      waveId: string;
      waivers: Waiver[];
      capacityAccepted: boolean;
      databaseTargets?: DatabaseTargetConvention;
    }): Promise<WaveManifest> {
      const plan = await pinnedPlan(input.plan);
      const assessment = await loadAssessmentInput(input.plan.workspace);
      const estate = input.databaseTargets ? await loadEstate(input.plan.workspace) : undefined;
      return asFailure(() => {
        const batches = batchSpecsFromPlan(plan, input.waveId, input.plan.scope).map(
          ({ spec, cutoverWindow }) => ({
            batchId: spec.batchId,
            vmCount: spec.vms.length,
            cutoverWindow,
          }),
        );
        const gate = evaluateWaveGate(plan, assessment, input.waveId, input.waivers, input.capacityAccepted);
        const { databases, excluded } =
          estate && input.databaseTargets
            ? databaseSpecsFromPlan(plan, estate.databases, input.waveId, input.databaseTargets)
            : { databases: [], excluded: [] };
        return { batches, gate, databases, excludedDatabases: excluded };
      });
    },

    async loadBatchSpec(input: { plan: PlanRef; waveId: string; batchId: string }): Promise<BatchSpec> {
      const plan = await pinnedPlan(input.plan);
      return asFailure(() => {
        const found = batchSpecsFromPlan(plan, input.waveId, input.plan.scope).find(
          (b) => b.spec.batchId === input.batchId,
        );
        if (!found) throw new Error(`wave ${input.waveId} of the plan has no batch ${input.batchId}`);
        return found.spec;
      });
    },
  };
}

export type PlanActivities = ReturnType<typeof createPlanActivities>;
