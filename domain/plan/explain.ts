/**
 * `factory plan --explain <application|server>`: the reasons the planner recorded while placing it,
 * never reconstructed afterwards.
 */
import type { Plan } from './plan-schema.ts';

export function explain(plan: Plan, subject: string): string[] | undefined {
  const key = subject.toLowerCase();
  const app = plan.applications.find((a) => a.name.toLowerCase() === key);
  const server = plan.servers.find((s) => s.id === subject || s.name.toLowerCase() === key);
  const excluded = plan.excluded.find(
    (e) =>
      e.id.toLowerCase() === key ||
      e.name?.toLowerCase() === key ||
      (server !== undefined && e.id === server.id),
  );
  if (app !== undefined) {
    const risks = plan.crossWaveDependencies.filter((d) => d.from === app.name || d.to === app.name);
    return [
      `application ${app.name} (${app.environment}, ${app.businessGroup}, criticality ${app.criticality}, priority ${app.priority}, ${app.servers.length} servers)`,
      ...(app.moveGroup.length > 0 ? [`move group: ${app.moveGroup.join(', ')}`] : []),
      ...app.reasons.map((r) => `  - ${r}`),
      ...risks.map((d) => `  ! ${d.reason} (risk ${d.risk})`),
    ];
  }
  if (server !== undefined) {
    const owner = plan.applications.find((a) => a.name === server.application);
    return [
      `server ${server.name} (${server.id}) of ${server.application}`,
      ...server.reasons.map((r) => `  - ${r}`),
      ...(owner === undefined ? [] : [`application ${owner.name}:`, ...owner.reasons.map((r) => `  - ${r}`)]),
    ];
  }
  if (excluded !== undefined)
    return [
      `${excluded.kind} ${excluded.name === undefined ? excluded.id : `${excluded.name} (${excluded.id})`} is not planned: ${excluded.reason}`,
    ];
  return undefined;
}
