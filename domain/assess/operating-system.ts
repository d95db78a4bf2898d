/**
 * Recognises a guest OS name as the sources write it: vCenter's guest OS full names ("CentOS 4/5 or
 * later (64-bit)", "Microsoft Windows Server 2016 or later (64-bit)", "Other 4.x or later Linux
 * (64-bit)"), VMware Tools' more precise names ("Ubuntu 22.04.3 LTS", "CentOS Linux 7 (Core)"), Azure
 * Migrate's OS strings ("Microsoft Windows Server 2019 Datacenter", "Red Hat Enterprise Linux Server
 * 7.9") and the import template's OS name and version. It returns the family, the distribution, the
 * release and version where the name gives one, and the architecture; a name that gives no version,
 * or only a floor or a list ("4/5 or later"), is recognised without one and says why in `versionHint`.
 */
import { distributionNamed, findRelease, type Distribution, type OsRelease } from '../data/os-lifecycle.ts';

export interface OsFacts {
  /** The name as given, trimmed. */
  text?: string;
  family: 'windows' | 'linux' | 'other' | 'unknown';
  distribution?: Distribution;
  /** The lifecycle table's key: "2012 R2", "7", "22.04", "15". Absent when the name gives none. */
  release?: string;
  version?: { major: number; minor?: number };
  /** Why there is no exact version: "or later", "4/5 or later", "8.x". */
  versionHint?: string;
  architecture: '32-bit' | '64-bit' | 'unknown';
  /** Kept for sizing and older callers: architecture === '32-bit'. */
  is32Bit: boolean;
  /** The release's row in the lifecycle table, when the release is known there. */
  entry?: OsRelease;
}

const architectureOf = (text: string): OsFacts['architecture'] =>
  /\b(64[- ]?bit|x64|x86_64|amd64|aarch64|arm64)\b/.test(text)
    ? '64-bit'
    : /\b(32[- ]?bit|x86|i[3-6]86)\b/.test(text)
      ? '32-bit'
      : 'unknown';

/** Architecture words and bracketed notes carry digits that are not versions. */
const withoutNoise = (text: string) =>
  text
    .replace(/\(?\b(32|64)[- ]?bit\)?/g, ' ')
    .replace(/\b(x86_64|x64|amd64|aarch64|arm64|i[3-6]86)\b/g, ' ')
    .replace(/\s+/g, ' ');

interface ParsedVersion {
  version?: { major: number; minor?: number };
  hint?: string;
}

/**
 * The first version after `from`: "7.9", "12 SP5", "6.10". A list ("4/5") or a floor on a list ("4/5
 * or later") gives no version; a single floor ("12 or later") gives the floor with the hint.
 */
function versionAfter(text: string, from: number): ParsedVersion {
  const rest = text.slice(from);
  const match = /(\d+)(?:\.(\d+))?(?:[^\S\n]*(?:sp|service pack)[^\S\n]*(\d+))?/.exec(rest);
  if (match === null) return {};
  const after = rest.slice(match.index + match[0].length);
  const list = /^(\/\d+)+/.exec(after);
  if (list !== null) {
    const later = /^[^(]*?or later/.test(after.slice(list[0].length)) ? ' or later' : '';
    return { hint: `${match[0]}${list[0]}${later}` };
  }
  const major = Number(match[1]);
  const minorText = match[3] ?? match[2];
  const version = minorText === undefined ? { major } : { major, minor: Number(minorText) };
  if (/^\.x\b/.test(after)) return { version, hint: `${match[0]}.x` };
  if (/^\s*or later/.test(after)) return { version, hint: `${match[0]} or later` };
  return { version };
}

interface Matched {
  distribution: string;
  release?: string;
  version?: { major: number; minor?: number };
  versionHint?: string;
}

function windows(text: string): Matched | undefined {
  if (/\bms-?dos\b/.test(text)) return { distribution: 'MS-DOS' };
  if (!/\bwindows\b|\bwin(20|xp|7|10|11)|small business server|\bsbs\b|hyper-v server/.test(text)) {
    return undefined;
  }
  const legacy = (release: string): Matched => ({ distribution: 'Windows Server (legacy)', release });
  if (/small business server 2011|\bsbs 2011/.test(text))
    return { distribution: 'Windows Server', release: '2008 R2' };
  if (/threshold/.test(text)) return { distribution: 'Windows Server', release: '2016' };
  if (/longhorn/.test(text)) return { distribution: 'Windows Server', release: '2008' };
  const server = /(?:server|windows|sbs)\D{0,30}?\b(2003|2008|2012|2016|2019|2022|2025)\b(\s*r2\b)?/.exec(
    text,
  );
  if (server?.[1] !== undefined) {
    const release = `${server[1]}${server[2] === undefined ? '' : ' R2'}`;
    if (server[1] === '2003') return legacy(release);
    const floor = /or later/.test(text.slice(server.index));
    return { distribution: 'Windows Server', release, ...(floor ? { versionHint: 'or later' } : {}) };
  }
  if (/windows (2000|server 2000)/.test(text)) return legacy('2000');
  if (/windows nt/.test(text)) return legacy('NT');
  if (/windows 98|windows me\b/.test(text)) return legacy('98');
  if (/windows 95/.test(text)) return legacy('95');
  if (/windows (3\.1|for workgroups)/.test(text)) return legacy('3.1');
  if (/windows xp|\bwinxp\b/.test(text)) return legacy('XP');
  if (/windows vista/.test(text)) return legacy('Vista');
  const client = /windows\s*(7|8\.1|8\.x|8|10|11)\b/.exec(text);
  if (client?.[1] !== undefined) {
    return client[1] === '8.x'
      ? { distribution: 'Windows', versionHint: '8.x' }
      : { distribution: 'Windows', release: client[1] };
  }
  if (/windows server/.test(text)) return { distribution: 'Windows Server' };
  return { distribution: 'Windows' };
}

/** Linux and other distributions: a pattern for the name; the version follows it. */
const named: { distribution: string; pattern: RegExp; ubuntuStyle?: boolean }[] = [
  { distribution: 'Red Hat Enterprise Linux', pattern: /red ?hat enterprise linux|\brhel\b/ },
  { distribution: 'CentOS Stream', pattern: /centos stream/ },
  { distribution: 'CentOS', pattern: /\bcentos\b/ },
  { distribution: 'Oracle Linux', pattern: /oracle (enterprise )?linux|\boel\b/ },
  { distribution: 'Ubuntu', pattern: /\bubuntu\b/, ubuntuStyle: true },
  { distribution: 'Debian', pattern: /\bdebian\b/ },
  { distribution: 'openSUSE', pattern: /opensuse( leap| tumbleweed)?/ },
  {
    distribution: 'SUSE Linux Enterprise Server',
    pattern: /suse linux enterprise( server)?|\bsles\b|\bsuse\b/,
  },
  { distribution: 'Flatcar Container Linux', pattern: /\bflatcar\b/ },
  { distribution: 'CoreOS', pattern: /\bcoreos\b/ },
  { distribution: 'Rocky Linux', pattern: /\brocky\b/ },
  { distribution: 'AlmaLinux', pattern: /\balma ?linux\b/ },
  { distribution: 'Amazon Linux', pattern: /amazon linux( ami)?/ },
  { distribution: 'Fedora', pattern: /\bfedora\b/ },
  { distribution: 'VMware Photon OS', pattern: /\bphoton\b/ },
  { distribution: 'Asianux', pattern: /\basianux\b/ },
  { distribution: 'Azure Linux', pattern: /azure linux|cbl-mariner|\bmariner\b/ },
  { distribution: 'FreeBSD', pattern: /\bfreebsd\b/ },
  { distribution: 'Oracle Solaris', pattern: /\bsolaris\b|\bsunos\b/ },
  { distribution: 'macOS', pattern: /\bmac ?os\b|\bos x\b|\bdarwin\b/ },
  { distribution: 'Novell NetWare', pattern: /\bnetware\b/ },
  { distribution: 'IBM OS/2', pattern: /\bos\/2\b|\becomstation\b/ },
  { distribution: 'SCO', pattern: /\bsco\b|\bunixware\b|\bopenserver\b/ },
  { distribution: 'VMware ESXi', pattern: /\besxi?\b/ },
];

function distributionRelease(name: string, parsed: ParsedVersion, ubuntuStyle: boolean): Matched {
  const { version, hint } = parsed;
  if (version === undefined)
    return { distribution: name, ...(hint === undefined ? {} : { versionHint: hint }) };
  if (ubuntuStyle) {
    // Ubuntu's release is year.month ("22.04"); its point release ("22.04.3") is not a different release.
    if (version.minor === undefined) return { distribution: name, versionHint: `${version.major}` };
    const release = `${version.major}.${String(version.minor).padStart(2, '0')}`;
    return { distribution: name, release, version };
  }
  if (hint !== undefined) return { distribution: name, version, versionHint: hint };
  return { distribution: name, release: String(version.major), version };
}

function recogniseName(text: string): Matched | { family: 'linux' | 'unknown' } {
  const win = windows(text);
  if (win !== undefined) return win;
  const clean = withoutNoise(text);
  for (const candidate of named) {
    const match = candidate.pattern.exec(clean);
    if (match === null) continue;
    return distributionRelease(
      candidate.distribution,
      versionAfter(clean, match.index + match[0].length),
      candidate.ubuntuStyle === true,
    );
  }
  // vCenter's "Other 3.x or later Linux": the guest is Linux but vCenter does not say which.
  if (/^other\b.*\blinux\b/.test(text)) return { family: 'linux' };
  if (/\blinux\b|\bgnu\b/.test(text)) return { distribution: 'Other Linux' };
  return { family: 'unknown' };
}

export function recogniseOs(os: string | undefined): OsFacts {
  const text = os?.trim() ?? '';
  if (text === '') return { family: 'unknown', architecture: 'unknown', is32Bit: false };
  const lower = text.toLowerCase().replace(/\s+/g, ' ');
  const architecture = architectureOf(lower);
  const base = { text, architecture, is32Bit: architecture === '32-bit' };
  const matched = recogniseName(lower);
  if (!('distribution' in matched)) return { ...base, family: matched.family };
  const distribution = distributionNamed.get(matched.distribution);
  if (distribution === undefined) throw new Error(`os-lifecycle has no distribution ${matched.distribution}`);
  const entry = matched.release === undefined ? undefined : findRelease(distribution.name, matched.release);
  return {
    ...base,
    family: distribution.family,
    distribution,
    ...(matched.release === undefined ? {} : { release: matched.release }),
    ...(matched.version === undefined ? {} : { version: matched.version }),
    ...(matched.versionHint === undefined ? {} : { versionHint: matched.versionHint }),
    ...(entry === undefined ? {} : { entry }),
  };
}

/** "Red Hat Enterprise Linux 7.9", "Windows Server 2016 or later", "CentOS 4/5 or later", "Ubuntu". */
export function describeOs(os: OsFacts): string {
  if (os.distribution === undefined) return os.text ?? 'unknown OS';
  const name =
    os.entry?.product ?? `${os.distribution.name}${os.release === undefined ? '' : ` ${os.release}`}`;
  const minor =
    os.release === undefined ||
    os.version?.minor === undefined ||
    os.family === 'windows' ||
    os.release.includes('.')
      ? ''
      : os.distribution.name === 'SUSE Linux Enterprise Server'
        ? ` SP${os.version.minor}`
        : `.${os.version.minor}`;
  return `${name}${minor}${os.versionHint === undefined ? '' : ` ${os.versionHint}`}`;
}
