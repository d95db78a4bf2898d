/**
 * Builds the workflow bundle into a file (the Dockerfile runs it at image build time), so workers load it
 * through MIGRATION_FACTORY_WORKFLOW_BUNDLE instead of running webpack at every start.
 *
 *   node --import tsx workers/build-bundle.ts <output file>
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { bundleWorkflows } from './bundle.ts';

const [output] = process.argv.slice(2);
if (!output) {
  console.error('usage: node --import tsx workers/build-bundle.ts <output file>');
  process.exit(2);
}
const path = resolve(output);
mkdirSync(dirname(path), { recursive: true });
writeFileSync(path, (await bundleWorkflows()).code);
console.log(`workflow bundle written to ${path}`);
