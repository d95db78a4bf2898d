/**
 * The embedded stack's stamp key: made once and kept in the data dir (owner-only), so a restarted stack
 * signs with the key its running waves trust; a damaged key file is refused without echoing its content.
 */
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stackStampKey } from '../../cli/stack/control-plane.ts';
import { publicKeyOf } from '../../contracts/operator-stamp.ts';

describe('the stack stamp key', () => {
  it('is kept in the key folder and read back after a restart', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'mf-stamp-key-')), 'server');
    const first = stackStampKey(dir);
    expect(first.keyId).toMatch(/^stack-\d{4}-\d{2}-\d{2}-[0-9a-f]{6}$/);
    expect(() => publicKeyOf(first.privateKey)).not.toThrow();
    expect(statSync(join(dir, 'stamp-key.json')).mode & 0o777).toBe(0o600);
    expect(stackStampKey(dir)).toEqual(first);
  });

  it('is new on every start without a key folder', () => {
    expect(stackStampKey(undefined).privateKey).not.toBe(stackStampKey(undefined).privateKey);
  });

  it('refuses a damaged key file, naming the file but not its content', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mf-stamp-key-bad-'));
    writeFileSync(join(dir, 'stamp-key.json'), '{"keyId":"k","privateKey":"secret-but-broken"}');
    let message = '';
    try {
      stackStampKey(dir);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain(join(dir, 'stamp-key.json'));
    expect(message).toContain('delete it to make a new one');
    expect(message).not.toContain('secret-but-broken');
  });
});
