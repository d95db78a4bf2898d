/**
 * Assigns move groups to waves by the rules in priority order, recording for every application why
 * it landed where it did:
 *   1. pins win (placed first, so their capacity is reserved);
 *   2. a move group moves whole (strong two-way coupling, shared servers);
 *   3. what an application depends on moves in the same or an earlier wave (topological order;
 *      cycles are placed consecutively and the edges that cannot be honoured are flagged with a risk);
 *   4. dev/test waves never mix with production waves, and dev/test is ranked first;
 *   5. POC candidates first, then migration priority 1/2/3, then low risk + complexity, then low
 *      criticality;
 *   6. high-criticality applications skip the first waves of their environment;
 *   7. caps per wave (VMs, TB, applications), ramped up over each environment's first waves.
 */
import type { MoveGroups } from './move-groups.ts';
import { waveTBCap, type PlanOptions } from './plan-options.ts';
import type {
  CrossWaveDependency,
  EnvironmentClass,
  Pins,
  PlanApplication,
  PlanServer,
} from './plan-schema.ts';
import type { PlanningInput } from './planning-input.ts';
import { stronglyConnected } from './strongly-connected.ts';

export interface WaveSlot {
  number: number;
  environment?: EnvironmentClass;
  vms: number;
  usedTB: number;
  applications: number;
  /** Applications in placement order. */
  members: string[];
}

export interface WaveCaps {
  vms: number;
  usedTB: number;
  applications: number;
}

export interface WaveAssignment {
  waves: WaveSlot[];
  waveOfApp: Map<string, number>;
  reasons: Map<string, string[]>;
  crossWave: CrossWaveDependency[];
  warnings: string[];
  capsOf: (wave: WaveSlot) => WaveCaps;
}

interface Group {
  id: string;
  apps: PlanApplication[];
  environment: EnvironmentClass;
  vms: number;
  usedTB: number;
  criticality: number;
  key: (number | string)[];
  order: string;
  pinned?: { wave: number; why: string };
}

export const waveId = (n: number) => `wave-${String(n).padStart(2, '0')}`;
export const waveNumber = (id: string): number | undefined => {
  const match = /^wave-(\d+)$/.exec(id);
  return match?.[1] === undefined ? undefined : Number(match[1]);
};

const compareKeys = (a: readonly (number | string)[], b: readonly (number | string)[]) => {
  for (let i = 0; i < Math.max(a.length, b.length); i += 1) {
    const [x, y] = [a[i], b[i]];
    if (x === y) continue;
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    return typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
  }
  return 0;
};
const tb = (gib: number) => (gib * 1024 ** 3) / 1e12;
const round = (n: number) => Math.round(n * 100) / 100;

export function assignWaves(
  input: Pick<PlanningInput, 'applications' | 'servers' | 'ranking'>,
  groups: MoveGroups,
  pins: Pins,
  options: PlanOptions,
): WaveAssignment {
  const warnings: string[] = [];
  const reasons = new Map<string, string[]>();
  const say = (app: string, text: string) => reasons.set(app, [...(reasons.get(app) ?? []), text]);
  const apps = new Map(input.applications.map((a) => [a.name, a]));
  const groupList = buildGroups(input.applications, input.servers, input.ranking, groups, pins, warnings);
  const groupById = new Map(groupList.map((g) => [g.id, g]));
  for (const [app, why] of groups.why) for (const text of why) say(app, text);

  const slots: WaveSlot[] = [];
  const slot = (n: number): WaveSlot => {
    while (slots.length < n)
      slots.push({ number: slots.length + 1, vms: 0, usedTB: 0, applications: 0, members: [] });
    return slots[n - 1] as WaveSlot;
  };
  const ordinal = (w: WaveSlot) =>
    slots.filter((s) => s.number < w.number && s.environment === w.environment).length;
  const fullCaps: WaveCaps = {
    vms: options.waves.maxVms,
    usedTB: waveTBCap(options),
    applications: options.waves.maxApplications,
  };
  const capsOf = (w: WaveSlot): WaveCaps => {
    const share = options.waves.rampUp[ordinal(w)] ?? 1;
    return {
      vms: Math.max(1, Math.floor(fullCaps.vms * share)),
      usedTB: round(fullCaps.usedTB * share),
      applications: Math.max(1, Math.floor(fullCaps.applications * share)),
    };
  };
  const waveOfGroup = new Map<string, number>();
  const place = (g: Group, w: WaveSlot) => {
    w.environment ??= g.environment;
    w.vms += g.vms;
    w.usedTB += g.usedTB;
    w.applications += g.apps.length;
    for (const a of g.apps) w.members.push(a.name);
    waveOfGroup.set(g.id, w.number);
  };

  // Pass 1: pins reserve their waves before any rule runs.
  for (const g of groupList.filter((x) => x.pinned !== undefined)) {
    const pin = g.pinned as NonNullable<Group['pinned']>;
    const w = slot(pin.wave);
    if (w.environment !== undefined && w.environment !== g.environment)
      warnings.push(`pins put ${g.environment} ${g.id} into ${w.environment} ${waveId(w.number)}`);
    place(g, w);
    for (const a of g.apps) say(a.name, `${waveId(w.number)}: ${pin.why}`);
  }

  // Pass 2: the rules, in topological order of the dependency graph between groups, best rank first.
  const depsOf = new Map<string, string[]>();
  for (const g of groupList) {
    const deps = new Set<string>();
    for (const a of g.apps)
      for (const d of a.dependsOn) {
        const target = groups.groupOf.get(d.application);
        if (target !== undefined && target !== g.id) deps.add(target);
      }
    depsOf.set(g.id, [...deps].sort());
  }
  const { componentOf, count } = stronglyConnected(
    groupList.map((g) => g.id),
    depsOf,
  );
  const components = Array.from({ length: count }, () => [] as Group[]);
  for (const g of groupList) components[componentOf.get(g.id) ?? 0]?.push(g);
  const waitingOn = new Map<number, number>();
  const unblocks = new Map<number, number[]>();
  for (const g of groupList) {
    const c = componentOf.get(g.id) ?? 0;
    for (const d of depsOf.get(g.id) ?? []) {
      const dc = componentOf.get(d) ?? 0;
      if (dc === c) continue;
      waitingOn.set(c, (waitingOn.get(c) ?? 0) + 1);
      unblocks.set(dc, [...(unblocks.get(dc) ?? []), c]);
    }
  }
  const componentKey = (c: number) =>
    (components[c] ?? []).reduce<(number | string)[] | undefined>(
      (best, g) => (best === undefined || compareKeys(g.key, best) < 0 ? g.key : best),
      undefined,
    ) ?? [];
  const ready: number[] = [];
  const enqueue = (c: number) => {
    const key = componentKey(c);
    let lo = 0;
    let hi = ready.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compareKeys(componentKey(ready[mid] ?? 0), key) <= 0) lo = mid + 1;
      else hi = mid;
    }
    ready.splice(lo, 0, c);
  };
  for (let c = 0; c < count; c += 1) if ((waitingOn.get(c) ?? 0) === 0) enqueue(c);

  const skipWaves = options.waves.highCriticalitySkipsWaves;
  while (ready.length > 0) {
    const c = ready.shift() ?? 0;
    const members = [...(components[c] ?? [])].sort((a, b) => compareKeys(a.key, b.key));
    for (const g of members) {
      if (g.pinned !== undefined) continue;
      let earliest = 1;
      let because: string | undefined;
      for (const d of depsOf.get(g.id) ?? []) {
        const w = waveOfGroup.get(d);
        if (w !== undefined && w >= earliest) [earliest, because] = [w, d];
      }
      const high = g.criticality >= options.waves.highCriticality;
      const skipped: string[] = [];
      let chosen: WaveSlot | undefined;
      for (let n = earliest; n <= slots.length && chosen === undefined; n += 1) {
        const w = slot(n);
        const caps = capsOf({ ...w, environment: w.environment ?? g.environment });
        if (w.environment !== undefined && w.environment !== g.environment) continue;
        if (high && ordinal({ ...w, environment: g.environment }) < skipWaves) {
          skipped.push(`${waveId(n)} (high criticality)`);
          continue;
        }
        const over = [
          w.vms + g.vms > caps.vms ? `VMs ${w.vms}+${g.vms} > ${caps.vms}` : '',
          w.usedTB + g.usedTB > caps.usedTB
            ? `TB ${round(w.usedTB)}+${round(g.usedTB)} > ${caps.usedTB}`
            : '',
          w.applications + g.apps.length > caps.applications
            ? `applications ${w.applications}+${g.apps.length} > ${caps.applications}`
            : '',
        ].filter((s) => s !== '');
        // An empty wave takes a group even when it alone exceeds the caps: nothing smaller exists.
        if (over.length > 0 && w.members.length > 0) skipped.push(`${waveId(n)} (full: ${over.join(', ')})`);
        else chosen = w;
      }
      const created = chosen === undefined;
      chosen ??= slot(slots.length + 1);
      const n = chosen.number;
      if (chosen.members.length === 0 && (g.vms > fullCaps.vms || g.usedTB > fullCaps.usedTB))
        warnings.push(`${g.id}: ${g.vms} VMs / ${round(g.usedTB)} TB exceed the wave caps on its own`);
      if (
        high &&
        chosen.environment === undefined &&
        ordinal({ ...chosen, environment: g.environment }) < skipWaves
      )
        warnings.push(`${g.id}: high criticality but no later ${g.environment} wave exists to hold it`);
      place(g, chosen);
      const from =
        because === undefined
          ? ''
          : ` at or after ${waveId(earliest)}, where its dependency ${
              groupById
                .get(because)
                ?.apps.map((a) => a.name)
                .join(', ') ?? because
            } moves`;
      for (const a of g.apps) {
        say(a.name, `order: ${g.order}`);
        if (high)
          say(
            a.name,
            `criticality ${g.criticality}: kept out of the first ${skipWaves} ${g.environment} waves`,
          );
        say(
          a.name,
          `${waveId(n)}: ${created ? 'new' : 'first'} ${g.environment} wave${from} with room (${chosen.vms} VMs, ${round(chosen.usedTB)} TB, ${chosen.applications} applications after placing)`,
        );
        if (skipped.length > 0)
          say(
            a.name,
            `passed over ${skipped.slice(0, 3).join('; ')}${skipped.length > 3 ? ` and ${skipped.length - 3} more` : ''}`,
          );
      }
    }
    for (const next of unblocks.get(c) ?? []) {
      const left = (waitingOn.get(next) ?? 0) - 1;
      waitingOn.set(next, left);
      if (left === 0) enqueue(next);
    }
  }

  const waveOfApp = new Map<string, number>();
  for (const g of groupList) {
    const w = waveOfGroup.get(g.id);
    if (w !== undefined) for (const a of g.apps) waveOfApp.set(a.name, w);
  }
  const crossWave = crossWaveDependencies(apps, groups, waveOfApp, componentOf, groupById);
  for (const x of crossWave) say(x.from, `cross-wave dependency: ${x.reason} (risk ${x.risk})`);
  return {
    waves: slots.filter((s) => s.members.length > 0),
    waveOfApp,
    reasons,
    crossWave,
    warnings,
    capsOf,
  };
}

function buildGroups(
  applications: readonly PlanApplication[],
  servers: ReadonlyMap<string, PlanServer>,
  ranking: PlanningInput['ranking'],
  groups: MoveGroups,
  pins: Pins,
  warnings: string[],
): Group[] {
  const byNameOrId = new Map<string, PlanServer>();
  for (const s of servers.values()) byNameOrId.set(s.id, s).set(s.name.toLowerCase(), s);
  const pinOf = new Map<string, { wave: number; why: string }>();
  const pin = (app: string, waveRef: string, why: string) => {
    const wave = waveNumber(waveRef);
    if (wave === undefined || wave < 1) {
      warnings.push(`${why}: "${waveRef}" is not a wave id like wave-03; pin ignored`);
      return;
    }
    const before = pinOf.get(app);
    if (before !== undefined && before.wave !== wave)
      warnings.push(
        `${app}: conflicting pins (${waveId(before.wave)}, ${waveId(wave)}); the later wave wins`,
      );
    if (before === undefined || wave > before.wave) pinOf.set(app, { wave, why });
  };
  for (const [app, wave] of Object.entries(pins.applications)) {
    if (groups.groupOf.has(app)) pin(app, wave, `pinned by pins.applications["${app}"]`);
    else warnings.push(`pins.applications names unknown application "${app}"`);
  }
  for (const [server, wave] of Object.entries(pins.servers)) {
    const s = byNameOrId.get(server) ?? byNameOrId.get(server.toLowerCase());
    if (s === undefined) warnings.push(`pins.servers names unknown server "${server}"`);
    else
      pin(
        s.application,
        wave,
        `pinned by pins.servers["${server}"] (the server moves with ${s.application})`,
      );
  }

  const byName = new Map(applications.map((a) => [a.name, a]));
  const result: Group[] = [];
  for (const [id, names] of groups.members) {
    const apps = names.map((n) => byName.get(n)).filter((a): a is PlanApplication => a !== undefined);
    let vms = 0;
    let gib = 0;
    for (const a of apps)
      for (const sid of a.servers) {
        vms += 1;
        gib += servers.get(sid)?.usedGiB ?? 0;
      }
    const environment: EnvironmentClass = apps.some((a) => a.environment === 'production')
      ? 'production'
      : 'non-production';
    if (apps.some((a) => a.environment !== environment))
      warnings.push(`${id}: move group mixes environments (${names.join(', ')}); planned as production`);
    const keys = apps.map((a) => {
      const r = ranking.get(a.name) ?? { poc: false, quickWin: false, risk: 3, complexity: 3 };
      return {
        key: [
          environment === 'non-production' ? 0 : 1,
          r.poc ? 0 : 1,
          a.priority,
          r.risk + r.complexity,
          a.criticality,
          a.name,
        ],
        order: `${environment}${r.poc ? ', POC candidate' : ''}, priority ${a.priority}, risk ${r.risk} + complexity ${r.complexity}, criticality ${a.criticality}`,
      };
    });
    const best = keys.reduce((x, y) => (compareKeys(y.key, x.key) < 0 ? y : x));
    const pinned = apps
      .map((a) => pinOf.get(a.name))
      .reduce<{ wave: number; why: string } | undefined>(
        (x, y) => (y !== undefined && (x === undefined || y.wave > x.wave) ? y : x),
        undefined,
      );
    result.push({
      id,
      apps,
      environment,
      vms,
      usedTB: tb(gib),
      criticality: Math.max(...apps.map((a) => a.criticality)),
      key: best.key,
      order: best.order,
      ...(pinned === undefined ? {} : { pinned }),
    });
  }
  return result.sort((a, b) => a.id.localeCompare(b.id));
}

function crossWaveDependencies(
  apps: ReadonlyMap<string, PlanApplication>,
  groups: MoveGroups,
  waveOfApp: ReadonlyMap<string, number>,
  componentOf: ReadonlyMap<string, number>,
  groupById: ReadonlyMap<string, Group>,
): CrossWaveDependency[] {
  const result: CrossWaveDependency[] = [];
  for (const app of apps.values()) {
    const wa = waveOfApp.get(app.name);
    for (const d of app.dependsOn) {
      const wd = waveOfApp.get(d.application);
      if (wa === undefined || wd === undefined || wd <= wa) continue;
      const [ga, gd] = [groups.groupOf.get(app.name) ?? '', groups.groupOf.get(d.application) ?? ''];
      const pinned = groupById.get(ga)?.pinned ?? groupById.get(gd)?.pinned;
      const cause =
        componentOf.get(ga) === componentOf.get(gd)
          ? 'dependency cycle: both cannot move first'
          : pinned !== undefined
            ? `${pinned.why}`
            : 'wave rules placed the dependency later';
      result.push({
        from: app.name,
        to: d.application,
        fromWave: waveId(wa),
        toWave: waveId(wd),
        strength: d.strength,
        risk: d.strength === 'strong' ? 'high' : d.strength === 'medium' ? 'medium' : 'low',
        reason: `${app.name} (${waveId(wa)}) depends on ${d.application} (${waveId(wd)}): ${cause}`,
      });
    }
  }
  return result.sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to));
}
