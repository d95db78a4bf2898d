/**
 * Grouping and infrastructure evidence as sentences, shared by the HTML report and the plan's
 * reasons (`factory plan --explain`), so both say the same thing in the same words.
 */
import type { EvidenceConnection, GroupingEvidence } from './application-groups.ts';
import type { InfrastructureServer } from './infrastructure.ts';

/** "2024-01-15T06:00:00.000Z" → "2024-01-15 06:00". */
const minute = (iso: string) => iso.slice(0, 16).replace('T', ' ');

export function connectionText(c: EvidenceConnection): string {
  const from = c.sourceProcesses === undefined ? '' : ` ${c.sourceProcesses.join('/')}`;
  const to = c.destinationProcesses === undefined ? '' : ` ${c.destinationProcesses.join('/')}`;
  const ports = c.ports.length === 1 ? `port ${c.ports[0]}` : `ports ${c.ports.join(', ')}`;
  const seen =
    c.firstSeen === undefined || c.lastSeen === undefined
      ? ''
      : `, seen ${minute(c.firstSeen)} to ${minute(c.lastSeen)} UTC`;
  const observations = `${c.observations} observation${c.observations === 1 ? '' : 's'}`;
  return `${c.from}${from} → ${c.to}${to} on ${ports} (${observations}${seen})`;
}

/** The basis, then one line per listed connection, then how many were left out. */
export function evidenceLines(evidence: GroupingEvidence): string[] {
  return [
    evidence.basis,
    ...evidence.connections.map(connectionText),
    ...(evidence.connectionsOmitted > 0
      ? [`… and ${evidence.connectionsOmitted} weaker connections between its servers`]
      : []),
  ];
}

export const infrastructureText = (s: InfrastructureServer): string =>
  `${s.name} is ${s.role}: ${s.evidence.join('; ')}`;
