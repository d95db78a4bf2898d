/**
 * docker-compose's `simulator-certificates` job: creates (or keeps) the simulator's CA and server
 * certificate in the simulator's private state folder, and copies only the CA CERTIFICATE to a folder the
 * worker mounts. The worker trusts the simulator without ever seeing the CA's private key.
 *
 *   node --import tsx simulators/export-ca.ts --state-dir /data/simulator --hostname simulator --out /data/ca
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureTlsMaterial } from './certificates.ts';

const { values } = parseArgs({
  options: {
    'state-dir': { type: 'string' },
    hostname: { type: 'string', multiple: true },
    out: { type: 'string' },
  },
  strict: true,
});
const stateDir = values['state-dir'];
const out = values.out;
if (!stateDir || !out) {
  console.error('usage: simulators/export-ca.ts --state-dir <dir> --out <dir> [--hostname <name>]...');
  process.exit(2);
}
const tls = await ensureTlsMaterial(stateDir, values.hostname ?? []);
mkdirSync(out, { recursive: true });
copyFileSync(tls.caCertPath, join(out, 'ca.pem'));
console.log(`simulator CA certificate copied to ${join(out, 'ca.pem')} (its key stays in ${stateDir})`);
