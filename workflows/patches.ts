/**
 * Every patch the workflows check with `patched()` or `deprecatePatch()`, by the release that introduced it.
 * The policy (docs/upgrades.md): a change that alters the commands an already-running wave, batch or
 * database workflow would replay is shipped behind a new entry here; an entry is retired (deprecatePatch,
 * then removed) only once no run that could lack it is open or still retained for audit.
 * test/unit/workflow-patches.test.ts checks that workflow code uses no other patch ids.
 */
export const WORKFLOW_PATCHES = {
  /** Rollback powers the sources back on from the batch's phase, not from whether its cancel ran now. */
  sourcePowerOnFromPhase: {
    id: 'source-power-on-from-phase',
    introducedIn: '0.1.0',
    workflows: ['migrationBatch'],
  },
  /** Decisions (gate refused, batch held, window opening, sign-off due, rollback) start notifications. */
  notifyOnDecision: {
    id: 'notify-on-decision',
    introducedIn: '0.1.0',
    workflows: ['migrationWave', 'migrationBatch'],
  },
} as const satisfies Record<string, { id: string; introducedIn: string; workflows: readonly string[] }>;

/** The patch ids, for `patched(PATCH.x)`. */
export const PATCH = {
  sourcePowerOnFromPhase: WORKFLOW_PATCHES.sourcePowerOnFromPhase.id,
  notifyOnDecision: WORKFLOW_PATCHES.notifyOnDecision.id,
} as const;
