/**
 * Plan activities: the wave and batch workflows load their manifests from the artifacts the wave is pinned
 * to (plan, estate, assessment), fetched from the artifact store by content hash and verified, so every
 * retry and replay sees the same data, the histories stay small, and a worker needs no workspace folder.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { z } from 'zod';
import { ErrorType } from '../contracts/errors.ts';
import type { ArtifactKind, PlanRef, WaveManifest } from '../contracts/workflow-inputs.ts';
import { estateSchema } from '../domain/inventory/estate-schema.ts';
import type { BatchSpec } from '../domain/migration.ts';
import { assessmentInputSchema } from '../domain/plan/assessment-input.ts';
import { batchSpecsFromPlan } from '../domain/plan/batch-specs.ts';
import { databaseSpecsFromPlan, type DatabaseTargetConvention } from '../domain/plan/database-specs.ts';
import { planSchema } from '../domain/plan/plan-schema.ts';
import { evaluateWaveGate, type Waiver } from '../domain/plan/wave-gate.ts';
import {
  ArtifactMissingError,
  ArtifactTamperedError,
  type ArtifactStore,
} from '../workspace/artifact-store.ts';

const schemas = { plan: planSchema, estate: estateSchema, assessment: assessmentInputSchema };
type Artifact<K extends ArtifactKind> = z.infer<(typeof schemas)[K]>;

/**
 * Verified, parsed artifacts by hash, shared by concurrent loads: artifacts never change, and a
 * 10,000-VM plan takes a good part of a second to fetch, hash and parse while every batch loads it.
 * A few of each kind are kept (waves run a handful of plans at a time).
 */
export class ArtifactCache {
  private readonly entries = new Map<string, Promise<unknown>>();
  constructor(
    private readonly store: ArtifactStore,
    private readonly capacity = 6,
  ) {}

  get<K extends ArtifactKind>(kind: K, sha256: string): Promise<Artifact<K>> {
    const key = `${kind}/${sha256}`;
    let entry = this.entries.get(key);
    if (entry) this.entries.delete(key);
    else {
      entry = this.load(kind, sha256);
      // A failed load is not kept: a store that was down is asked again on the activity's retry.
      entry.catch(() => this.entries.delete(key));
    }
    this.entries.set(key, entry);
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.capacity) break;
      this.entries.delete(oldest);
    }
    return entry as Promise<Artifact<K>>;
  }

  private async load<K extends ArtifactKind>(kind: K, sha256: string): Promise<Artifact<K>> {
    let bytes: Buffer;
    try {
      bytes = await this.store.fetch(kind, sha256);
    } catch (error) {
      // Missing or changed content does not heal by retrying: the wave fails with what to do.
      if (error instanceof ArtifactMissingError || error instanceof ArtifactTamperedError)
        throw ApplicationFailure.create({
          type:
            error instanceof ArtifactMissingError ? ErrorType.artifactMissing : ErrorType.artifactTampered,
          message: error.message,
          nonRetryable: true,
        });
      throw error;
    }
    const parsed = schemas[kind].safeParse(JSON.parse(bytes.toString('utf8')));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw ApplicationFailure.create({
        type: ErrorType.planInvalid,
        message: `The ${kind} artifact ${sha256} is not a valid ${kind} at ${issue?.path.map(String).join('.') ?? '?'}: ${issue?.message ?? ''}`,
        nonRetryable: true,
      });
    }
    return parsed.data as Artifact<K>;
  }
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

export function createPlanActivities(deps: { artifacts: ArtifactStore | ArtifactCache }) {
  const cache = deps.artifacts instanceof ArtifactCache ? deps.artifacts : new ArtifactCache(deps.artifacts);
  return {
    async loadWaveManifest(input: {
      plan: PlanRef;
      waveId: string;
      waivers: Waiver[];
      capacityAccepted: boolean;
      databaseTargets?: DatabaseTargetConvention;
    }): Promise<WaveManifest> {
      const pins = input.plan.artifacts;
      const [plan, assessment, estate] = await Promise.all([
        cache.get('plan', pins.plan),
        cache.get('assessment', pins.assessment),
        input.databaseTargets ? cache.get('estate', pins.estate) : undefined,
      ]);
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
      const plan = await cache.get('plan', input.plan.artifacts.plan);
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
