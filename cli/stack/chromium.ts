/**
 * The headless browser the dashboard's browser test drives: Debian's `chromium` package (playwright-core
 * drives it; no browser download). In CI, where we are root, a missing one is installed with apt-get;
 * elsewhere the error says what to install. `FACTORY_CHROMIUM` names another executable.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const DEBIAN_CHROMIUM = '/usr/bin/chromium';

export function ensureChromium(log: (line: string) => void = () => {}): string {
  const configured = process.env.FACTORY_CHROMIUM?.trim();
  if (configured) {
    if (!existsSync(configured))
      throw new Error(`FACTORY_CHROMIUM=${configured}: no such file (a Chromium or Chrome executable)`);
    return configured;
  }
  if (existsSync(DEBIAN_CHROMIUM)) return DEBIAN_CHROMIUM;
  const root = process.getuid?.() === 0;
  if (!root || !existsSync('/usr/bin/apt-get'))
    throw new Error(
      `No Chromium at ${DEBIAN_CHROMIUM}: install Debian's package (sudo apt-get install chromium) or set FACTORY_CHROMIUM to a Chromium executable.`,
    );
  log(`Installing Debian's chromium package (${DEBIAN_CHROMIUM} is missing)…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], {
    stdio: 'inherit',
    env,
  });
  if (!existsSync(DEBIAN_CHROMIUM))
    throw new Error(`apt-get installed chromium but ${DEBIAN_CHROMIUM} is still missing`);
  return DEBIAN_CHROMIUM;
}

// `tsx cli/stack/chromium.ts` (CI set-up step): make sure the browser is there.
if (import.meta.url === `file://${process.argv[1]}`) console.log(ensureChromium(console.log));
