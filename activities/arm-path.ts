/**
 * ARM paths built from names the factory did not choose (inventory VM and database names, settings):
 * every interpolated value is one encoded path segment, so a name can never add segments, a query or a
 * fragment to the URL, and `.`/`..` (which URL parsers resolve even when percent-encoded) are refused.
 */
export class ArmPathSegmentError extends Error {
  constructor(readonly segment: string) {
    super(`${JSON.stringify(segment)} cannot be a segment of an Azure resource path`);
    this.name = 'ArmPathSegmentError';
  }
}

const dotSegment = /^(\.|%2e){1,2}$/i;

export function armSegment(value: string): string {
  if (value === '' || dotSegment.test(value)) throw new ArmPathSegmentError(value);
  return encodeURIComponent(value);
}

/** armPath`/subscriptions/${id}/resourceGroups/${rg}` with each `${…}` encoded as one segment. */
export function armPath(literals: TemplateStringsArray, ...segments: string[]): string {
  return literals.reduce((path, literal, index) => `${path}${armSegment(segments[index - 1]!)}${literal}`);
}
