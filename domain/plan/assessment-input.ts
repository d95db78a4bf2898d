/**
 * The part of assessment.json the planner reads. The assessment has no schema of its own (it is an
 * output), so the plan validates exactly the fields it relies on and strips the rest:
 * a truncated or hand-broken assessment is reported instead of producing a wrong plan.
 */
import { calendarDateSchema } from '../calendar-date.ts';
import { z } from 'zod';
import { exclusionReasons, exclusionSuggestions } from '../assess/exclusions.ts';
import { classificationSchema, dbTargets, performanceCounters } from '../inventory/estate-schema.ts';

const strength = z.enum(['strong', 'medium', 'weak']);

export const assessmentInputSchema = z.object({
  /** sha256 of the estate it was made from (workspace/chain.ts); absent in older assessments. */
  estateSha256: z.string().optional(),
  asOf: calendarDateSchema,
  options: z.object({
    dependencies: z.object({
      ephemeralPortFrom: z.number(),
      infrastructurePorts: z.array(z.number()),
      infrastructureServers: z.array(z.string()),
      fanInShare: z.number(),
      signaturePeers: z.number(),
      applianceMinServers: z.number(),
      applianceShare: z.number(),
      quickWinMaxDependencies: z.number(),
    }),
  }),
  vms: z.array(
    z.object({
      serverId: z.string(),
      name: z.string(),
      readiness: z.object({
        status: z.enum(['Ready', 'Conditionally ready', 'Not ready', 'Unknown']),
        findings: z.array(z.object({ status: z.string(), reason: z.string() })),
      }),
      sizing: z
        .object({
          vmSize: z.string().optional(),
          /** Counters the assessment had no data for; absent in assessments made before. */
          missingData: z.array(z.enum(performanceCounters)).optional(),
        })
        .optional(),
      exclusion: z
        .object({ reasons: z.array(z.enum(exclusionReasons)), suggestion: z.enum(exclusionSuggestions) })
        .optional(),
    }),
  ),
  applications: z.array(
    z.object({
      name: z.string(),
      servers: z.array(z.string()),
      classification: classificationSchema,
      quickWin: z.boolean(),
      evidence: z
        .object({
          basis: z.string(),
          connections: z.array(
            z.object({
              from: z.string(),
              to: z.string(),
              ports: z.array(z.number()),
              observations: z.number(),
              sourceProcesses: z.array(z.string()).optional(),
              destinationProcesses: z.array(z.string()).optional(),
              firstSeen: z.string().optional(),
              lastSeen: z.string().optional(),
            }),
          ),
          connectionsOmitted: z.number(),
        })
        .optional(),
    }),
  ),
  applicationEdges: z.array(z.object({ from: z.string(), to: z.string(), strength })),
  pocCandidates: z.array(z.string()),
  databases: z.array(
    z.object({
      databaseId: z.string(),
      recommendedTarget: z.enum(dbTargets).optional(),
      mode: z.enum(['offline', 'online']).optional(),
      reasons: z.array(z.string()),
    }),
  ),
});
export type AssessmentInput = z.infer<typeof assessmentInputSchema>;
