/**
 * Finds servers by UUID, BIOS UUID, vCenter + name, name, short name or IP, the ways other sources refer
 * to them. Names (also within one vCenter) may belong to several machines, so name look-ups return lists.
 */

const shortName = (name: string) => name.toLowerCase().split('.')[0] ?? name.toLowerCase();

export class ServerIndex {
  private readonly byUuid = new Map<string, string>();
  private readonly byBiosUuid = new Map<string, string>();
  private readonly byVcenterName = new Map<string, Set<string>>();
  private readonly byName = new Map<string, Set<string>>();
  private readonly byShortName = new Map<string, Set<string>>();
  private readonly byIp = new Map<string, Set<string>>();

  add(id: string, ref: { name: string; uuid?: string; biosUuid?: string; vcenter?: string }): void {
    if (ref.uuid !== undefined) this.addUuid(id, ref.uuid);
    if (ref.biosUuid !== undefined) this.addBiosUuid(id, ref.biosUuid);
    if (ref.vcenter !== undefined) addTo(this.byVcenterName, `${ref.vcenter}/${ref.name}`.toLowerCase(), id);
    addTo(this.byName, ref.name.toLowerCase(), id);
    addTo(this.byShortName, shortName(ref.name), id);
  }

  /** A UUID learnt when another source's row merged into the server. */
  addUuid(id: string, uuid: string): void {
    this.byUuid.set(uuid.toLowerCase(), id);
  }

  addBiosUuid(id: string, biosUuid: string): void {
    this.byBiosUuid.set(biosUuid.toLowerCase(), id);
  }

  addIp(id: string, ip: string): void {
    addTo(this.byIp, ip, id);
  }

  uuid(uuid: string): string | undefined {
    return this.byUuid.get(uuid.toLowerCase());
  }

  biosUuid(biosUuid: string): string | undefined {
    return this.byBiosUuid.get(biosUuid.toLowerCase());
  }

  vcenterName(vcenter: string, name: string): string[] {
    return [...(this.byVcenterName.get(`${vcenter}/${name}`.toLowerCase()) ?? [])];
  }

  /** Servers a bare name could mean: exact name first, else the host part of an FQDN. */
  name(name: string): string[] {
    const exact = this.byName.get(name.toLowerCase());
    if (exact !== undefined) return [...exact];
    return [...(this.byShortName.get(shortName(name)) ?? [])];
  }

  ip(ip: string): string[] {
    return [...(this.byIp.get(ip) ?? [])];
  }
}

function addTo(map: Map<string, Set<string>>, key: string, id: string) {
  const set = map.get(key);
  if (set === undefined) map.set(key, new Set([id]));
  else set.add(id);
}

/** The one server a bare name means, or undefined when it names none or several. */
export function resolveName(name: string, index: ServerIndex): string | undefined {
  const candidates = index.name(name);
  return candidates.length === 1 ? candidates[0] : undefined;
}
