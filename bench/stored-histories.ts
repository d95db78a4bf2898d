/**
 * Stored workflow histories (test/histories/<version>/): recorded from real runs of each released version by
 * `npm run histories:record`, replayed against the current workflow code by
 * test/integration/replay-stored.test.ts. docs/upgrades.md says why and when they are recorded.
 */
import proto from '@temporalio/proto';
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root.js';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { projectRoot } from '../cli/stack/temporal-cli.ts';

type History = proto.temporal.api.history.v1.IHistory;

/**
 * Proto3 JSON through the protobufjs copy @temporalio/proto's types belong to. The SDK's own
 * historyToJSON/historyFromJSON (@temporalio/common/lib/proto-utils) load protojson from common's copy, and
 * when npm installs a copy per package (as here: the root holds protobufjs 7 for other packages) its
 * `instanceof Type` check fails with "type must be a Type".
 */
const protojson = createRequire(createRequire(import.meta.url).resolve('@temporalio/proto'))(
  'protobufjs/ext/protojson',
) as {
  toJson(type: unknown, message: unknown): unknown;
  fromJson(type: unknown, json: unknown, options?: { ignoreUnknownFields?: boolean }): unknown;
};
const historyType = (patchProtobufRoot(proto) as unknown as { lookupType(name: string): unknown }).lookupType(
  'temporal.api.history.v1.History',
);

/** A history as proto3 JSON, the form `temporal workflow show --output json` and other Temporal tools use. */
export function historyToJson(history: History): string {
  return JSON.stringify(
    protojson.toJson(historyType, proto.temporal.api.history.v1.History.fromObject(history)),
  );
}

export function historyFromJson(json: unknown): History {
  return protojson.fromJson(historyType, json, { ignoreUnknownFields: true }) as History;
}

export const historiesRoot = join(projectRoot, 'test', 'histories');
export const manifestName = 'index.json';

export interface StoredHistoryEntry {
  /** File in the version's folder: the history in proto3 JSON, as `historyToJSON(fetchHistory())` gives. */
  file: string;
  scenario: string;
  workflowType: string;
  workflowId: string;
  runId: string;
  /** How this run differs from the others of its type (close status, updates, signals, continue-as-new). */
  variant: string;
  events: number;
}

export interface StoredHistoryManifest {
  version: string;
  recordedAt: string;
  recordedWith: Record<string, string>;
  scenarios: Record<string, string>;
  histories: StoredHistoryEntry[];
}

/**
 * What must never appear in a stored history: key material, credentials and the stacks' own secrets
 * (Azurite's development key stands for any storage key; the recorder adds the values it ran with).
 */
export const secretPatterns: RegExp[] = [
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
  /AccountKey=/i,
  /SharedAccessSignature|[?&]sig=/i,
  /\bpassword\b["']?\s*[:=]/i,
  /\bBearer\s+[A-Za-z0-9._-]{20,}/,
  /"privateKey"/,
];

/** Every version folder under test/histories, oldest first (semantic version order). */
export function storedVersions(root = historiesRoot): string[] {
  const parse = (v: string) => v.split('.').map(Number);
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && /^\d+\.\d+\.\d+$/.test(d.name))
    .map((d) => d.name)
    .sort((a, b) => {
      const [x, y] = [parse(a), parse(b)];
      for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return (x[i] ?? 0) - (y[i] ?? 0);
      return 0;
    });
}

export function readManifest(version: string, root = historiesRoot): StoredHistoryManifest {
  const path = join(root, version, manifestName);
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as StoredHistoryManifest;
  if (manifest.version !== version)
    throw new Error(`${path}: says version ${manifest.version}, but it is in the folder of ${version}`);
  return manifest;
}

export function readStoredHistory(version: string, entry: StoredHistoryEntry, root = historiesRoot): History {
  return historyFromJson(JSON.parse(readFileSync(join(root, version, entry.file), 'utf8')));
}

/** The history's JSON text followed by every payload's data, decoded: what the secret scan reads. */
function readableText(historyJson: string): string {
  const decoded: string[] = [];
  const visit = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      // Payloads keep their bytes in base64 `data` next to a `metadata` map (proto3 JSON).
      if (typeof record.data === 'string' && record.metadata)
        decoded.push(Buffer.from(record.data, 'base64').toString('utf8'));
      Object.values(record).forEach(visit);
    }
  };
  visit(JSON.parse(historyJson));
  return [historyJson, ...decoded].join('\n');
}

/** The first secret pattern (or one of the `extra` secret values) found in a history's JSON, if any. */
export function findSecret(historyJson: string, extra: string[] = []): string | undefined {
  const text = readableText(historyJson);
  for (const pattern of secretPatterns) if (pattern.test(text)) return pattern.source;
  return extra.find((value) => value.length >= 6 && text.includes(value));
}
