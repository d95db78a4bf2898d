/**
 * Exclusion and decommission candidates: machines in the estate that the factory should not migrate as
 * they are — servers that are not VMware VMs (the factory replicates VMware VMs through Site Recovery's
 * VMware fabric only), VMware templates, powered-off VMs and the Azure Migrate appliances themselves.
 * Each candidate gets its reasons and one suggestion for the people who sign the assessment off:
 *
 * - `exclude`: do not migrate (templates, appliances, servers already in Azure);
 * - `decommission`: powered off and created at least `poweredOffDecommissionDays` before the assessment
 *   date — old and not running, most likely no longer needed (confirm with the owner, then retire it);
 * - `review`: someone has to decide (recently created or undated powered-off VMs, servers that need
 *   another migration path).
 */
import type { Platform, Server } from '../inventory/estate-schema.ts';

export const exclusionReasons = ['not-vmware', 'template', 'migration-appliance', 'powered-off'] as const;
export type ExclusionReason = (typeof exclusionReasons)[number];
export const exclusionSuggestions = ['exclude', 'decommission', 'review'] as const;
export type ExclusionSuggestion = (typeof exclusionSuggestions)[number];

export interface ExclusionCandidate {
  reasons: ExclusionReason[];
  suggestion: ExclusionSuggestion;
  /** One sentence per reason: what was seen and what to do. */
  notes: string[];
}

export interface ExclusionOptions {
  /** A powered-off VM created at least this many days before the assessment date is a decommission candidate. */
  poweredOffDecommissionDays: number;
}

export const defaultExclusionOptions: ExclusionOptions = { poweredOffDecommissionDays: 365 };

const platformNames: Record<Exclude<Platform, 'vmware'>, string> = {
  physical: 'physical server',
  'hyper-v': 'Hyper-V VM',
  aws: 'AWS instance',
  gcp: 'Google Cloud instance',
  azure: 'Azure VM',
  other: 'server on another platform',
};

/**
 * Why a server that is not a VMware VM is not planned into waves, and how to migrate it instead. The
 * factory's workflows enable replication on Azure Migrate VMware-site machines (vCenter + instance UUID)
 * only, so any other path would be a promise the workflows cannot keep.
 */
export function notVmwareReason(platform: Exclude<Platform, 'vmware'>): string {
  const what = platformNames[platform];
  if (platform === 'azure')
    return `${what}: already in Azure, nothing to migrate; the factory migrates VMware VMs (move it between regions with Azure Resource Mover if needed)`;
  const how =
    platform === 'hyper-v'
      ? "Azure Migrate's Hyper-V migration (Migration and modernization tool, agentless via the Hyper-V hosts)"
      : "Azure Migrate's agent-based migration for physical servers (replication appliance and Mobility service)";
  return `${what}: the factory migrates VMware VMs only; migrate it with ${how} outside the factory's waves`;
}

export const isVmware = (server: Pick<Server, 'platform'>): boolean =>
  server.platform === undefined || server.platform === 'vmware';

const DAY_MS = 86_400_000;
const isoDay = (text: string): number | undefined => {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(text);
  if (match === null) return undefined;
  const ms = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  return Number.isNaN(ms) ? undefined : ms;
};

/**
 * The exclusion candidate a server is, if any.
 * @param appliances ids of servers known to be Azure Migrate appliances (from dependency evidence).
 */
export function exclusionCandidate(
  server: Server,
  asOf: string,
  options: ExclusionOptions,
  appliances: ReadonlySet<string>,
): ExclusionCandidate | undefined {
  const reasons: ExclusionReason[] = [];
  const notes: string[] = [];
  let suggestion: ExclusionSuggestion = 'review';
  // Strongest suggestion wins: exclude > decommission > review.
  const suggest = (s: ExclusionSuggestion) => {
    if (s === 'exclude' || (s === 'decommission' && suggestion === 'review')) suggestion = s;
  };

  if (server.platform !== undefined && server.platform !== 'vmware') {
    reasons.push('not-vmware');
    notes.push(notVmwareReason(server.platform));
    suggest(server.platform === 'azure' ? 'exclude' : 'review');
  }
  if (server.template === true) {
    reasons.push('template');
    notes.push(
      'VMware template: not a running VM, Site Recovery cannot replicate it; rebuild it as an Azure image if it is still needed',
    );
    suggest('exclude');
  }
  if (appliances.has(server.id)) {
    reasons.push('migration-appliance');
    notes.push('Azure Migrate appliance: it serves the migration and is retired after it, not migrated');
    suggest('exclude');
  }
  // A template is always powered off: that says nothing more about it.
  if (server.poweredOn === false && server.template !== true) {
    reasons.push('powered-off');
    const created = server.createdOn === undefined ? undefined : isoDay(server.createdOn);
    const today = isoDay(asOf);
    const age =
      created === undefined || today === undefined ? undefined : Math.floor((today - created) / DAY_MS);
    if (age !== undefined && age >= options.poweredOffDecommissionDays) {
      notes.push(
        `powered off and created ${server.createdOn?.slice(0, 10)} (${age} days before ${asOf}): likely unused, confirm with its owner and decommission it`,
      );
      suggest('decommission');
    } else {
      notes.push(
        age === undefined
          ? 'powered off, creation date unknown: confirm with its owner whether it is still needed'
          : `powered off, created ${server.createdOn?.slice(0, 10)} (${age} days before ${asOf}): confirm with its owner whether it is still needed`,
      );
      suggest('review');
    }
  }
  return reasons.length === 0 ? undefined : { reasons, suggestion, notes };
}
