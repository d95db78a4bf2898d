/** Edit distance and "did you mean" suggestions for unknown wave, batch and database names. */

/** Levenshtein distance: insertions, deletions and substitutions of one character each cost 1. */
export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * The candidates closest to `name` (case-insensitive), nearest first: those within a third of the
 * longer name's length, plus any that contain the name or are contained in it.
 */
export function closestNames(name: string, candidates: Iterable<string>, limit = 3): string[] {
  const wanted = name.toLowerCase();
  const scored = [...new Set(candidates)]
    .map((candidate) => {
      const lower = candidate.toLowerCase();
      const distance = levenshtein(wanted, lower);
      const contains = wanted.length > 0 && (lower.includes(wanted) || wanted.includes(lower));
      const near = distance <= Math.max(2, Math.floor(Math.max(wanted.length, lower.length) / 3));
      return { candidate, distance, keep: near || contains };
    })
    .filter((s) => s.keep && s.candidate !== name)
    .sort((x, y) => x.distance - y.distance || x.candidate.localeCompare(y.candidate));
  return scored.slice(0, limit).map((s) => s.candidate);
}

/** "Did you mean …?" with the closest names, or what exists when nothing is close. */
export function suggestion(name: string, candidates: string[], what: string): string {
  const close = closestNames(name, candidates);
  if (close.length > 0) return `Did you mean ${close.join(', ')}?`;
  if (candidates.length === 0) return `There are no ${what} yet.`;
  const sample = [...candidates].sort().slice(0, 8);
  return `Known ${what}: ${sample.join(', ')}${candidates.length > sample.length ? ', …' : ''}.`;
}
