/**
 * Canonical JSON: object keys sorted at every level, so equal values always serialise (and hash, and
 * sign) the same. Pure, so workflow code (stamp verification) and the edge (content hashes) share it.
 */
const indexLikeKey = /^(?:0|[1-9]\d*)$/;

/** JSON with object keys sorted at every level: the same plan always hashes the same. */
export function canonicalJson(value: unknown): string {
  // Native JSON.stringify with sorted objects is several times faster than a hand-written writer,
  // which matters as every command of the chain hashes estates of 10,000 VMs. Objects with
  // numeric-looking keys cannot be re-ordered that way: the writer below handles those values.
  let needsWriter = false;
  const fast = JSON.stringify(value, function (this: unknown, _key, item: unknown) {
    // The writer leaves an undefined array item empty ("[1,]"), JSON.stringify writes null.
    if (item === undefined && Array.isArray(this)) needsWriter = true;
    if (item === null || typeof item !== 'object' || Array.isArray(item)) return item;
    const record = item as Record<string, unknown>;
    const keys = Object.keys(record);
    if (keys.some((key) => indexLikeKey.test(key))) needsWriter = true;
    if (needsWriter || keys.every((key, i) => i === 0 || (keys[i - 1] ?? '') < key)) return item;
    const sorted: Record<string, unknown> = {};
    for (const key of keys.sort()) sorted[key] = record[key];
    return sorted;
  });
  if (!needsWriter) return fast;
  const parts: string[] = [];
  writeCanonical(value, parts);
  return parts.join('');
}

function writeCanonical(value: unknown, parts: string[]): void {
  if (Array.isArray(value)) {
    parts.push('[');
    value.forEach((item, i) => {
      if (i > 0) parts.push(',');
      writeCanonical(item, parts);
    });
    parts.push(']');
  } else if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    parts.push('{');
    let first = true;
    // sort() compares UTF-16 code units, as the published hashes were made.
    for (const key of Object.keys(record).sort()) {
      const item = record[key];
      if (item === undefined) continue;
      parts.push(first ? '' : ',', JSON.stringify(key), ':');
      first = false;
      writeCanonical(item, parts);
    }
    parts.push('}');
  } else parts.push(JSON.stringify(value));
}
