/**
 * Assigns work to a pool of identical units (replication appliances, target subscriptions) whose
 * load is held from a wave's replication start to its cutover end and then released. First fit over
 * the units in name order, or (`spread`) the least-loaded unit with room; a new unit is added when none
 * has room, so the pool size is the peak need, but at least `minUnits`.
 */
export interface PoolItem {
  key: string;
  /** One figure per capacity dimension, same order as the caps. */
  load: readonly number[];
}

export interface PoolWave {
  id: string;
  start: number;
  end: number;
  /** Groups of items kept together where possible (a batch), in order. */
  groups: readonly (readonly PoolItem[])[];
}

export interface PoolResult {
  unitOf: Map<string, string>;
  /** Per unit: the highest load it carried, per dimension. */
  peaks: { name: string; peak: number[] }[];
  /** Items whose load alone exceeds a cap: they get a unit to themselves. */
  oversized: string[];
  /** Per item: the unit's load after it was added, for the explanation. */
  loadAfter: Map<string, number[]>;
}

export function assignPool(
  waves: readonly PoolWave[],
  caps: readonly number[],
  unitName: (index: number) => string,
  options: { minUnits?: number; spread?: boolean } = {},
): PoolResult {
  const newUnit = (index: number) => ({
    name: unitName(index),
    load: caps.map(() => 0),
    held: [] as { until: number; load: readonly number[] }[],
  });
  const units = Array.from({ length: options.minUnits ?? 0 }, (_, i) => newUnit(i));
  const peaks = new Map<string, number[]>();
  const unitOf = new Map<string, string>();
  const loadAfter = new Map<string, number[]>();
  const oversized: string[] = [];
  const fits = (load: readonly number[], add: readonly number[]) =>
    add.every((x, i) => (load[i] ?? 0) + x <= (caps[i] ?? Infinity));
  for (const wave of [...waves].sort((a, b) => a.start - b.start)) {
    for (const unit of units) {
      const keep = unit.held.filter((h) => h.until > wave.start);
      for (const gone of unit.held.filter((h) => h.until <= wave.start))
        gone.load.forEach((x, i) => (unit.load[i] = (unit.load[i] ?? 0) - x));
      unit.held = keep;
    }
    for (const group of wave.groups) {
      // Heaviest first so big items find room before the small ones fragment it.
      const items = [...group].sort(
        (a, b) => (b.load[b.load.length - 1] ?? 0) - (a.load[a.load.length - 1] ?? 0),
      );
      for (const item of items) {
        const tooBig = !fits([], item.load);
        const withRoom = tooBig ? [] : units.filter((u) => fits(u.load, item.load));
        let unit = options.spread
          ? withRoom.reduce<(typeof units)[number] | undefined>(
              (best, u) => (best === undefined || (u.load[0] ?? 0) < (best.load[0] ?? 0) ? u : best),
              undefined,
            )
          : withRoom[0];
        if (unit === undefined) {
          unit = newUnit(units.length);
          units.push(unit);
        }
        if (tooBig) oversized.push(item.key);
        item.load.forEach((x, i) => (unit.load[i] = (unit.load[i] ?? 0) + x));
        unit.held.push({ until: wave.end, load: item.load });
        unitOf.set(item.key, unit.name);
        loadAfter.set(item.key, [...unit.load]);
        const peak = peaks.get(unit.name) ?? caps.map(() => 0);
        peaks.set(
          unit.name,
          peak.map((p, i) => Math.max(p, unit.load[i] ?? 0)),
        );
      }
    }
  }
  return {
    unitOf,
    peaks: units.flatMap((u) => (peaks.has(u.name) ? [{ name: u.name, peak: peaks.get(u.name) ?? [] }] : [])),
    oversized,
    loadAfter,
  };
}
