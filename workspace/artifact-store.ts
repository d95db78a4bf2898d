/**
 * Estates, assessments and plans as immutable artifacts in Azure Blob Storage (Azurite locally), addressed
 * by the sha256 of their canonical JSON. `wave start` publishes a workspace's three files and pins the wave
 * to their hashes; workers fetch them by hash and verify them, so re-planning (which rewrites plan.json)
 * never changes what a running wave runs, and a worker needs no access to the operator's workspace.
 * Blobs are written once (`If-None-Match: *`) and never deleted by the factory.
 */
import { DefaultAzureCredential } from '@azure/identity';
import { BlobServiceClient, ContainerClient, RestError } from '@azure/storage-blob';
import { createHash } from 'node:crypto';
import type { ArtifactKind, ArtifactPins } from '../contracts/workflow-inputs.ts';
import { loadFreshChain } from './chain.ts';
import { canonicalJson } from './plan-files.ts';

export const DEFAULT_ARTIFACT_CONTAINER = 'factory-artifacts';

/** Azurite's documented development account (a public, well-known key; never valid on Azure). */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
const AZURITE_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
export const azuriteConnectionString = (blobEndpoint: string) =>
  `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};BlobEndpoint=${blobEndpoint.replace(/\/+$/, '')}/${AZURITE_ACCOUNT};`;

/** The embedded stack's Azurite (`npm run stack`): the simulator profile's store when none is set. */
export const SIMULATOR_AZURITE_PORT = 10000;
export const simulatorArtifactStore = azuriteConnectionString(`http://127.0.0.1:${SIMULATOR_AZURITE_PORT}`);

/** Where the artifact store is: a connection string (Azurite, or an account key) or a container URL (Entra ID). */
export interface ArtifactStoreSettings {
  /** `FACTORY_ARTIFACTS_CONNECTION_STRING`. */
  connectionString?: string;
  /** `FACTORY_ARTIFACTS_URL`: https://<account>.blob.core.windows.net/<container>, with DefaultAzureCredential. */
  containerUrl?: string;
  /** `FACTORY_ARTIFACTS_CONTAINER` with a connection string (default factory-artifacts). */
  container?: string;
}

export function artifactStoreSettingsFromEnv(
  env: Record<string, string | undefined> = process.env,
): ArtifactStoreSettings | undefined {
  const connectionString = env.FACTORY_ARTIFACTS_CONNECTION_STRING?.trim();
  const containerUrl = env.FACTORY_ARTIFACTS_URL?.trim();
  if (!connectionString && !containerUrl) return undefined;
  return {
    ...(connectionString ? { connectionString } : {}),
    ...(containerUrl ? { containerUrl } : {}),
    ...(env.FACTORY_ARTIFACTS_CONTAINER?.trim() ? { container: env.FACTORY_ARTIFACTS_CONTAINER.trim() } : {}),
  };
}

/**
 * The store a client uses: the configured one, else on the simulator profile the embedded stack's
 * Azurite; undefined when nothing is configured for Azure.
 */
export function clientArtifactStore(
  profile: 'simulator' | 'azure',
  env: Record<string, string | undefined> = process.env,
): ArtifactStore | undefined {
  const settings =
    artifactStoreSettingsFromEnv(env) ??
    (profile === 'simulator' ? { connectionString: simulatorArtifactStore } : undefined);
  return settings ? ArtifactStore.fromSettings(settings) : undefined;
}

export const artifactStoreMissing =
  'No artifact store configured: set FACTORY_ARTIFACTS_URL (https://<account>.blob.core.windows.net/<container>, ' +
  'read with DefaultAzureCredential) or FACTORY_ARTIFACTS_CONNECTION_STRING (`npm run stack` prints the ' +
  "embedded Azurite's).";

/** An artifact's stored bytes and their hash. */
export function encodeArtifact(value: unknown): { bytes: Buffer; sha256: string } {
  const bytes = Buffer.from(canonicalJson(value));
  return { bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
}

const blobName = (kind: ArtifactKind, sha256: string) => `${kind}/${sha256}.json`;

/** The artifact is not in the store: nothing published it there. */
export class ArtifactMissingError extends Error {
  constructor(
    readonly kind: ArtifactKind,
    readonly sha256: string,
    location: string,
  ) {
    super(
      `The ${kind} artifact ${sha256} is not in the artifact store ${location}. It is published by ` +
        '`factory wave start` from the workspace it was planned in; publish it again with ' +
        '`factory artifacts publish --workspace <dir>` from that workspace, or start a new wave run.',
    );
    this.name = 'ArtifactMissingError';
  }
}

/** The stored bytes do not hash to the pin: someone changed a write-once blob. */
export class ArtifactTamperedError extends Error {
  constructor(
    readonly kind: ArtifactKind,
    readonly sha256: string,
    actual: string,
    location: string,
  ) {
    super(
      `The ${kind} artifact ${sha256} in ${location} was changed after it was published (its content hashes ` +
        `to ${actual}). Artifacts are immutable: restore the original blob from the workspace with ` +
        '`factory artifacts publish --workspace <dir> --repair`, or start a new wave run.',
    );
    this.name = 'ArtifactTamperedError';
  }
}

export class ArtifactStore {
  readonly location: string;

  constructor(private readonly container: ContainerClient) {
    this.location = container.url;
  }

  static fromSettings(settings: ArtifactStoreSettings): ArtifactStore {
    if (settings.containerUrl)
      return new ArtifactStore(new ContainerClient(settings.containerUrl, new DefaultAzureCredential()));
    if (!settings.connectionString) throw new Error(artifactStoreMissing);
    return new ArtifactStore(
      BlobServiceClient.fromConnectionString(settings.connectionString).getContainerClient(
        settings.container ?? DEFAULT_ARTIFACT_CONTAINER,
      ),
    );
  }

  /** Creates the container if needed (Azurite starts empty; in Azure the deployment creates it). */
  async ensureContainer(): Promise<void> {
    await this.container.createIfNotExists();
  }

  /**
   * Publishes a value; a blob already there under the same hash is left as it is unless `repair` is set
   * and its content no longer matches (then it is restored).
   */
  async publish(
    kind: ArtifactKind,
    value: unknown,
    options: { repair?: boolean } = {},
  ): Promise<{ sha256: string; created: boolean }> {
    const { bytes, sha256 } = encodeArtifact(value);
    const blob = this.container.getBlockBlobClient(blobName(kind, sha256));
    // Every wave start publishes its plan's artifacts: most are there already, and a 10,000-VM estate is
    // tens of megabytes, so ask before sending it.
    if (!options.repair && (await blob.exists())) return { sha256, created: false };
    try {
      await blob.uploadData(bytes, {
        conditions: { ifNoneMatch: '*' },
        blobHTTPHeaders: { blobContentType: 'application/json' },
        metadata: { kind, sha256 },
      });
      return { sha256, created: true };
    } catch (error) {
      if (!(error instanceof RestError) || (error.statusCode !== 409 && error.statusCode !== 412))
        throw error;
    }
    if (options.repair) {
      const stored = await this.read(kind, sha256);
      if (stored === undefined || !stored.equals(bytes)) {
        await blob.uploadData(bytes, {
          blobHTTPHeaders: { blobContentType: 'application/json' },
          metadata: { kind, sha256 },
        });
        return { sha256, created: true };
      }
    }
    return { sha256, created: false };
  }

  /** The verified bytes of an artifact; throws ArtifactMissingError or ArtifactTamperedError. */
  async fetch(kind: ArtifactKind, sha256: string): Promise<Buffer> {
    const bytes = await this.read(kind, sha256);
    if (bytes === undefined) throw new ArtifactMissingError(kind, sha256, this.location);
    const actual = createHash('sha256').update(bytes).digest('hex');
    if (actual !== sha256) throw new ArtifactTamperedError(kind, sha256, actual, this.location);
    return bytes;
  }

  /** Whether a record (a small JSON blob outside the artifacts, e.g. the notification ledger) exists. */
  async hasRecord(name: string): Promise<boolean> {
    await this.containerReady();
    return this.container.getBlockBlobClient(name).exists();
  }

  /** Writes a record once (`If-None-Match: *`); a record already there is kept as it is. */
  async recordOnce(name: string, value: unknown): Promise<{ created: boolean }> {
    await this.containerReady();
    try {
      await this.container.getBlockBlobClient(name).uploadData(Buffer.from(canonicalJson(value)), {
        conditions: { ifNoneMatch: '*' },
        blobHTTPHeaders: { blobContentType: 'application/json' },
      });
      return { created: true };
    } catch (error) {
      if (error instanceof RestError && (error.statusCode === 409 || error.statusCode === 412))
        return { created: false };
      throw error;
    }
  }

  private ensured: Promise<void> | undefined;
  /** Records may come before any wave published an artifact: the container is created once per store. */
  private containerReady(): Promise<void> {
    this.ensured ??= this.ensureContainer().catch((error: unknown) => {
      this.ensured = undefined;
      throw error;
    });
    return this.ensured;
  }

  private async read(kind: ArtifactKind, sha256: string): Promise<Buffer | undefined> {
    try {
      return await this.container.getBlockBlobClient(blobName(kind, sha256)).downloadToBuffer();
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 404) return undefined;
      throw error;
    }
  }
}

/** Pins of a workspace's estate, assessment and plan, published to the store. */
export async function publishWorkspaceArtifacts(
  store: ArtifactStore,
  artifacts: { estate: unknown; assessment: unknown; plan: unknown },
  options: { repair?: boolean } = {},
): Promise<{ pins: ArtifactPins; created: ArtifactKind[] }> {
  await store.ensureContainer();
  const kinds = ['estate', 'assessment', 'plan'] as const;
  const results = await Promise.all(kinds.map((kind) => store.publish(kind, artifacts[kind], options)));
  const [estate, assessment, plan] = results as [
    (typeof results)[0],
    (typeof results)[0],
    (typeof results)[0],
  ];
  return {
    pins: { estate: estate.sha256, assessment: assessment.sha256, plan: plan.sha256 },
    created: kinds.filter((_, i) => results[i]?.created),
  };
}

/**
 * A workspace's estate, assessment and plan as the artifacts a wave is pinned to, with their hashes.
 * Refuses (StaleWorkspaceError) a chain whose plan or assessment was made from an older predecessor.
 */
export async function loadWorkspaceArtifacts(dir: string) {
  const { estate, assessment, plan } = await loadFreshChain(dir);
  const pins: ArtifactPins = {
    estate: encodeArtifact(estate).sha256,
    assessment: encodeArtifact(assessment).sha256,
    plan: encodeArtifact(plan).sha256,
  };
  return { estate, assessment, plan, pins };
}
