/**
 * Every name the factory puts in an ARM path is one encoded segment: a hostile VM, database or setting
 * value can never add segments, a query or a fragment, nor climb to another resource.
 */
import { describe, expect, it } from 'vitest';
import { ArmPathSegmentError, armPath } from '../../activities/arm-path.ts';
import { protectedItemName } from '../../domain/migration.ts';

const base = 'https://management.azure.com';
const container =
  '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.RecoveryServices/vaults/v/replicationFabrics/f/replicationProtectionContainers/c';

/** The item path as `activities/site-recovery.ts` builds it, parsed the way an HTTP client parses it. */
const itemUrl = (name: string) =>
  new URL(`${base}${container}${armPath`/replicationProtectedItems/${name}`}`);

describe('armPath', () => {
  const hostile = [
    '../../x/replicationProtectedItems/victim?y=',
    'a/b',
    'what?api-version=1',
    'frag#ment',
    '%2e%2e%2fvictim',
    '..\\victim',
    'münchen-数据库-🚀',
    'space and\ttab',
    '%',
  ];

  it.each(hostile)('keeps %j one segment with no query or fragment', (name) => {
    const url = itemUrl(name);
    expect(url.search).toBe('');
    expect(url.hash).toBe('');
    const segments = url.pathname.split('/');
    expect(segments.slice(0, -1).join('/')).toBe(`${container}/replicationProtectedItems`);
    expect(decodeURIComponent(segments.at(-1)!)).toBe(name);
  });

  it.each(['.', '..', '%2e', '%2E%2e', '.%2e', ''])('refuses the dot segment or empty name %j', (name) => {
    expect(() => itemUrl(name)).toThrow(ArmPathSegmentError);
  });

  it('encodes every interpolated segment, not only the last', () => {
    const path = armPath`/subscriptions/${'s/1'}/resourceGroups/${'rg?x'}/providers/Microsoft.Sql/managedInstances/${'mi#1'}/databases/${'db 1'}`;
    expect(path).toBe(
      '/subscriptions/s%2F1/resourceGroups/rg%3Fx/providers/Microsoft.Sql/managedInstances/mi%231/databases/db%201',
    );
  });

  it('names protected items after the discovered machine, whatever the VM is called', () => {
    const machine =
      '/subscriptions/s/resourceGroups/rg/providers/Microsoft.OffAzure/VMwareSites/site/machines/vcenter01-contoso-local_4212a1b2-0000-4000-a000-000000000001';
    expect(protectedItemName(machine)).toBe('vcenter01-contoso-local_4212a1b2-0000-4000-a000-000000000001');
    expect(itemUrl(protectedItemName(machine)).pathname).toBe(
      `${container}/replicationProtectedItems/vcenter01-contoso-local_4212a1b2-0000-4000-a000-000000000001`,
    );
  });
});
