/**
 * The gate of a wave: replication starts only when every VM of the wave is Ready or waived with a reason,
 * the wave's capacity plan holds (or its violations are accepted with a reason), and Azure passes the
 * preflight checks (or an operator waived the failing ones by name, with a reason).
 */
import {
  unwaivedFailures,
  type PreflightCheck,
  type PreflightReport,
  type PreflightWaiver,
} from '../preflight/checks.ts';
import type { AssessmentInput } from './assessment-input.ts';
import type { Plan } from './plan-schema.ts';

export interface Waiver {
  /** Server name as in the plan. */
  server: string;
  reason: string;
  by: string;
}

export interface WaveGate {
  /** Servers that are not Ready and not waived, with the assessment's findings. */
  notReady: { server: string; readiness: string; reasons: string[] }[];
  /** Capacity violations of the wave (or its batches) that nobody accepted. */
  capacity: string[];
  waived: Waiver[];
  /** Preflight checks that failed and nobody waived (absent before preflight ran). */
  preflight?: PreflightCheck[];
  /** Failing preflight checks an operator waived, with who and why. */
  waivedChecks?: PreflightWaiver[];
}

export const gateHolds = (gate: WaveGate) =>
  gate.notReady.length === 0 && gate.capacity.length === 0 && (gate.preflight ?? []).length === 0;

/** The gate with a preflight report: its failures refuse it unless waived by name. */
export function withPreflight(gate: WaveGate, report: PreflightReport, waivers: PreflightWaiver[]): WaveGate {
  const failed = new Set(report.checks.filter((c) => !c.ok).map((c) => c.name as string));
  return {
    ...gate,
    preflight: unwaivedFailures(report.checks, waivers),
    waivedChecks: waivers.filter((w) => failed.has(w.check) && w.reason.trim() !== ''),
  };
}

export function evaluateWaveGate(
  plan: Plan,
  assessment: AssessmentInput,
  waveId: string,
  waivers: Waiver[],
  capacityAccepted: boolean,
): WaveGate {
  const wave = plan.waves.find((w) => w.id === waveId);
  if (!wave) throw new Error(`the plan has no wave ${waveId}`);
  const serverIds = new Set(wave.batches.flatMap((b) => b.bootGroups.flatMap((g) => g.servers)));
  const names = new Map(plan.servers.map((s) => [s.id, s.name]));
  const readiness = new Map(assessment.vms.map((vm) => [vm.serverId, vm.readiness]));
  const waivedNames = new Set(waivers.filter((w) => w.reason.trim()).map((w) => w.server));

  const notReady: WaveGate['notReady'] = [];
  for (const id of [...serverIds].sort()) {
    const name = names.get(id) ?? id;
    const state = readiness.get(id);
    if (state?.status === 'Ready' || waivedNames.has(name)) continue;
    notReady.push({
      server: name,
      readiness: state?.status ?? 'Unknown',
      reasons: state ? state.findings.map((f) => f.reason) : ['No assessment for this server'],
    });
  }
  const batchIds = new Set(wave.batches.map((b) => b.id));
  const capacity = capacityAccepted
    ? []
    : plan.capacity.violations
        .filter((v) => v.subject === waveId || batchIds.has(v.subject))
        .map((v) => `${v.subject}: ${v.message}`);
  const waveServerNames = new Set([...serverIds].map((id) => names.get(id) ?? id));
  return { notReady, capacity, waived: waivers.filter((w) => waveServerNames.has(w.server)) };
}
