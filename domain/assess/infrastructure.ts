/**
 * Finds the shared infrastructure in dependency data so it neither glues unrelated applications
 * together nor names them: the Azure Migrate appliance (its services, or its traffic: WinRM/SSH to
 * much of the estate and a session with vCenter), directory, DNS, backup and monitoring servers (by
 * the processes and ports of their services, `domain/data/infrastructure-signatures.ts`), any other
 * server most of the estate calls (fan-in), and the servers the user names (`--infrastructure`).
 * Every server found carries the evidence that put it there.
 */
import {
  applianceDiscoveryPorts,
  applianceManagementPorts,
  infrastructureSignatures,
  rolePriority,
  type InfrastructureRole,
  type InfrastructureSignature,
} from '../data/infrastructure-signatures.ts';
import type { Connection, Server } from '../inventory/estate-schema.ts';

export type { InfrastructureRole } from '../data/infrastructure-signatures.ts';

export interface InfrastructureServer {
  serverId: string;
  name: string;
  role: InfrastructureRole;
  /** Why, most telling first: "configured", a matching process, a traffic pattern. */
  evidence: string[];
}

export interface InfrastructureOptions {
  /** Destination ports at or above this are client-side ephemeral ports (IANA: 49152). */
  ephemeralPortFrom: number;
  /** Server names or ids the user declares shared infrastructure. */
  infrastructureServers: readonly string[];
  /** A destination reached from more than this share of all servers (at least 20) is a hub. */
  fanInShare: number;
  /** Distinct peers on a service's port before the port alone identifies the service. */
  signaturePeers: number;
  /** Servers reached over WinRM/SSH/SMB/RPC before a source counts as administering the estate. */
  applianceMinServers: number;
  /** Share of the servers in the dependency data such a source must reach to be the appliance. */
  applianceShare: number;
}

/** Name evidence (a process, an application, the user) outranks a traffic pattern. */
type Strength = 'name' | 'pattern';

interface Finding {
  role: InfrastructureRole;
  strength: Strength;
  text: string;
}

const MAX_LISTED = 3;
const list = (items: Iterable<string | number>) => {
  const all = [...items];
  const shown = all.slice(0, MAX_LISTED).join(', ');
  return all.length > MAX_LISTED ? `${shown} and ${all.length - MAX_LISTED} more` : shown;
};
const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Process names compare without path and ".exe"; multi-word service names as substrings. */
function nameMatcher(names: readonly string[]): (candidate: string) => boolean {
  const whole = new Set(names.filter((n) => !n.includes(' ')).map((n) => n.toLowerCase()));
  const phrases = names.filter((n) => n.includes(' ')).map((n) => n.toLowerCase());
  return (candidate) => {
    const lower = candidate.toLowerCase();
    const bare = lower.replace(/^.*[\\/]/, '').replace(/\.exe$/, '');
    return whole.has(bare) || phrases.some((p) => lower.includes(p));
  };
}

const signatureMatchers = infrastructureSignatures.map((s) => nameMatcher(s.names));

/** Signature indices per side and port, and per side and name (names repeat, so cached). */
const portIndex = new Map<string, number[]>();
infrastructureSignatures.forEach((signature, index) => {
  for (const port of signature.ports) {
    const key = `${signature.side}:${port}`;
    portIndex.set(key, [...(portIndex.get(key) ?? []), index]);
  }
});
const signaturesOnPort = (side: InfrastructureSignature['side'], port: number): readonly number[] =>
  portIndex.get(`${side}:${port}`) ?? [];
const nameCache = new Map<string, readonly number[]>();
const NAME_CACHE_LIMIT = 10_000;
function signaturesNaming(side: InfrastructureSignature['side'], name: string): readonly number[] {
  const key = `${side}:${name}`;
  let found = nameCache.get(key);
  if (found === undefined) {
    found = infrastructureSignatures.flatMap((signature, index) =>
      signature.side === side && signatureMatchers[index]?.(name) === true ? [index] : [],
    );
    // Bounded: an export with endless distinct process names must not grow it without limit.
    if (nameCache.size < NAME_CACHE_LIMIT) nameCache.set(key, found);
  }
  return found;
}

/** Per server, per signature: the matching names and the distinct peers on its ports. */
interface SignatureHits {
  names: Set<string>;
  peers: Set<string>;
  ports: Set<number>;
}

interface Administration {
  targets: Set<string>;
  resolvedTargets: Set<string>;
  ports: Set<number>;
  vcenters: Set<string>;
}

const peerKey = (e: Connection['source']) => e.serverId ?? `ip:${e.ip ?? ''}:${(e.name ?? '').toLowerCase()}`;
const shortName = (name: string) => name.toLowerCase().split('.')[0] ?? '';

export function detectInfrastructure(
  servers: readonly Server[],
  connections: readonly Connection[],
  options: InfrastructureOptions,
): InfrastructureServer[] {
  const findings = new Map<string, Finding[]>();
  const note = (id: string, finding: Finding) => {
    const list = findings.get(id);
    if (list === undefined) findings.set(id, [finding]);
    else list.push(finding);
  };

  const named = new Set(options.infrastructureServers.map((s) => s.toLowerCase()));
  for (const s of servers)
    if (named.has(s.name.toLowerCase()) || named.has(s.id))
      note(s.id, { role: 'hub', strength: 'name', text: 'configured' });

  // vCenter as the servers' own inventory names it (FQDN or IP); matched by full or short name.
  const vcenters = new Map<string, string>();
  for (const s of servers)
    if (s.vcenter !== undefined) {
      vcenters.set(s.vcenter.toLowerCase(), s.vcenter);
      vcenters.set(shortName(s.vcenter), s.vcenter);
    }
  const nameOf = new Map(servers.map((s) => [s.id, s.name]));
  const vcenterOf = (e: Connection['destination']): string | undefined => {
    for (const candidate of [e.name, e.ip, e.serverId === undefined ? undefined : nameOf.get(e.serverId)]) {
      if (candidate === undefined) continue;
      const hit = vcenters.get(candidate.toLowerCase()) ?? vcenters.get(shortName(candidate));
      if (hit !== undefined) return hit;
    }
    return undefined;
  };

  const managementPorts = new Set(applianceManagementPorts);
  const hits = new Map<string, Map<number, SignatureHits>>();
  const hitsFor = (id: string, signature: number): SignatureHits => {
    let perServer = hits.get(id);
    if (perServer === undefined) hits.set(id, (perServer = new Map<number, SignatureHits>()));
    let entry = perServer.get(signature);
    if (entry === undefined)
      perServer.set(signature, (entry = { names: new Set(), peers: new Set(), ports: new Set() }));
    return entry;
  };
  const administration = new Map<string, Administration>();
  const sourcesByDestination = new Map<string, Set<string>>();
  const inData = new Set<string>();

  for (const c of connections) {
    const from = c.source.serverId;
    const to = c.destination.serverId;
    if (from !== undefined) inData.add(from);
    if (to !== undefined) inData.add(to);
    if (from !== undefined && to !== undefined && from !== to) {
      const sources = sourcesByDestination.get(to);
      if (sources === undefined) sourcesByDestination.set(to, new Set([from]));
      else sources.add(from);
    }
    // Ephemeral ports are client sides and RPC endpoints (lsass listens there on every Windows
    // server), so only a service port vouches for the process that holds it.
    const serviceSide = c.port < options.ephemeralPortFrom;
    for (const side of ['destination', 'source'] as const) {
      const hub = side === 'destination' ? to : from;
      if (hub === undefined) continue;
      const names =
        side === 'destination'
          ? [c.destinationProcesses, c.destinationApplications]
          : [c.sourceProcesses, c.sourceApplications];
      if (serviceSide)
        for (const list of names)
          for (const name of list ?? [])
            for (const index of signaturesNaming(side, name)) hitsFor(hub, index).names.add(name);
      for (const index of signaturesOnPort(side, c.port)) {
        const entry = hitsFor(hub, index);
        entry.peers.add(peerKey(side === 'destination' ? c.source : c.destination));
        entry.ports.add(c.port);
      }
    }
    if (from !== undefined && managementPorts.has(c.port) && from !== to) {
      let admin = administration.get(from);
      if (admin === undefined)
        administration.set(
          from,
          (admin = { targets: new Set(), resolvedTargets: new Set(), ports: new Set(), vcenters: new Set() }),
        );
      const vcenter = vcenterOf(c.destination);
      if (vcenter !== undefined) admin.vcenters.add(`${vcenter} on ${c.port}`);
      else {
        admin.targets.add(peerKey(c.destination));
        if (to !== undefined) admin.resolvedTargets.add(to);
        admin.ports.add(c.port);
      }
    }
  }

  for (const [id, perServer] of hits)
    for (const [index, entry] of perServer) {
      const signature = infrastructureSignatures[index];
      if (signature === undefined) continue;
      if (entry.names.size > 0)
        note(id, {
          role: signature.role,
          strength: 'name',
          text: `${signature.service}: ${signature.side === 'destination' ? 'serves' : 'runs'} ${list([...entry.names].sort(byText))}`,
        });
      if (entry.peers.size >= options.signaturePeers) {
        const ports = list([...entry.ports].sort((a, b) => a - b));
        note(id, {
          role: signature.role,
          strength: 'pattern',
          text:
            signature.side === 'destination'
              ? `${signature.service}: called on port ${ports} by ${entry.peers.size} servers`
              : `${signature.service}: calls ${entry.peers.size} servers on port ${ports}`,
        });
      }
    }

  const discoveryPorts = new Set(applianceDiscoveryPorts);
  for (const [id, admin] of administration) {
    const administers = [...admin.ports].some((p) => p !== 443);
    if (admin.targets.size < options.applianceMinServers || !administers) continue;
    const others = Math.max(1, inData.size - 1);
    const share = admin.resolvedTargets.size / others;
    const ports = list([...admin.ports].sort((a, b) => a - b));
    const fanOut = `connects to ${admin.targets.size} servers on management ports ${ports}`;
    const discovers = [...admin.ports].some((p) => discoveryPorts.has(p));
    if (admin.vcenters.size > 0)
      note(id, {
        role: 'migration-appliance',
        strength: 'pattern',
        text: `${fanOut} and to vCenter ${list([...admin.vcenters].sort(byText))}`,
      });
    else if (discovers && share >= options.applianceShare)
      note(id, {
        role: 'migration-appliance',
        strength: 'pattern',
        text: `${fanOut}: ${Math.round(share * 100)} % of the servers in the dependency data`,
      });
    else note(id, { role: 'hub', strength: 'pattern', text: `${fanOut} (administers others)` });
  }

  const fanInLimit = Math.max(20, Math.ceil(servers.length * options.fanInShare));
  for (const [destination, sources] of sourcesByDestination)
    if (sources.size > fanInLimit)
      note(destination, {
        role: 'hub',
        strength: 'pattern',
        text: `called by ${sources.size} servers (more than ${fanInLimit}, the fan-in limit)`,
      });

  const rank = (role: InfrastructureRole) => rolePriority.indexOf(role);
  const strengthRank = (s: Strength) => (s === 'name' ? 0 : 1);
  const result: InfrastructureServer[] = [];
  for (const [serverId, list] of findings) {
    const ordered = [...list].sort(
      (a, b) =>
        Number(b.text === 'configured') - Number(a.text === 'configured') ||
        strengthRank(a.strength) - strengthRank(b.strength) ||
        rank(a.role) - rank(b.role) ||
        byText(a.text, b.text),
    );
    // "configured" says nothing about the role: the first specific finding (names before
    // patterns, then by role priority) names it.
    const role = ordered.find((f) => f.role !== 'hub')?.role ?? 'hub';
    result.push({
      serverId,
      name: nameOf.get(serverId) ?? serverId,
      role,
      evidence: [...new Set(ordered.map((f) => f.text))],
    });
  }
  return result.sort((a, b) => byText(a.serverId, b.serverId));
}
