/** `factory artifacts publish`: a workspace's estate, assessment and plan into the artifact store. */
import { resolve } from 'node:path';
import {
  artifactStoreMissing,
  clientArtifactStore,
  loadWorkspaceArtifacts,
  publishWorkspaceArtifacts,
} from '../../workspace/artifact-store.ts';
import { StaleWorkspaceError } from '../../workspace/chain.ts';
import { CliError, ExitCode } from './exit-codes.ts';
import { settingsProfile } from './wave-start.ts';

export async function runArtifactsPublish(
  options: { workspace: string; profile?: string; repair?: boolean },
  print: (line: string) => void,
) {
  const workspace = resolve(options.workspace);
  const profile = settingsProfile(options.profile);
  const store = clientArtifactStore(profile);
  if (!store) throw new CliError(artifactStoreMissing, ExitCode.usage);
  const artifacts = await loadWorkspaceArtifacts(workspace).catch((error: unknown) => {
    // A stale file is there but out of date (exit 4, naming the command); anything else is missing.
    if (error instanceof StaleWorkspaceError) throw error;
    throw new CliError(error instanceof Error ? error.message : String(error), ExitCode.notFound);
  });
  const { pins, created } = await publishWorkspaceArtifacts(store, artifacts, {
    repair: options.repair === true,
  });
  for (const kind of ['estate', 'assessment', 'plan'] as const)
    print(
      `${kind.padEnd(10)} ${pins[kind]}  ${created.includes(kind) ? 'published' : 'already in the store'}`,
    );
  print(`store ${store.location}`);
}
