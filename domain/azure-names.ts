/**
 * Azure naming rules for the names the factory turns into Azure resources (Microsoft Learn, "Naming rules
 * and restrictions for Azure resources"). Each check returns the broken rule with what to do, or
 * undefined; importers and `plan validate` report it against the row and column the name came from.
 *
 * - A VM's inventory name becomes the migrated VM's resource name (`targetVmName`,
 *   Microsoft.Compute/virtualMachines): 1-64 characters; none of `\/"[]:|<>+=;,?*@&`, `%` (refused in
 *   every ARM resource name), whitespace or control characters; not starting with `_`, not ending with
 *   `.` or `-`. The 15-character Windows limit is the guest's computer (host) name, which migration keeps
 *   as it is, so it does not apply here. Protected items are named after the discovered machine, not the VM.
 * - A SQL Server database's name becomes the target database and the `databaseMigrations/{name}` resource
 *   (Microsoft.Sql servers/databases): 1-128 characters; none of `<>*%&:\/?` or control characters; not
 *   ending with `.` or a space.
 */

// eslint-disable-next-line no-control-regex
const controlCharacters = /[\u0000-\u001f\u007f-\u009f]/;

function firstOf(name: string, forbidden: string): string | undefined {
  return [...name].find((char) => forbidden.includes(char));
}

const describeChar = (char: string) =>
  controlCharacters.test(char)
    ? `a control character (U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')})`
    : /\s/.test(char)
      ? 'whitespace'
      : `"${char}"`;

const vmForbidden = '\\/"[]:|<>+=;,?*@&%';

/** Why this VM name cannot be the migrated VM's Azure resource name, or undefined when it can. */
export function azureVmNameProblem(name: string): string | undefined {
  const fix = 'rename the VM in vCenter (or correct the inventory row) and import again';
  const rule =
    'an Azure VM name (Microsoft.Compute/virtualMachines) has 1-64 characters, none of \\/"[]:|<>+=;,?*@&%, whitespace or control characters, does not start with "_" and does not end with "." or "-"';
  const bad =
    [...name].find((char) => controlCharacters.test(char) || /\s/.test(char)) ?? firstOf(name, vmForbidden);
  if (bad !== undefined) return `contains ${describeChar(bad)}: ${rule}; ${fix}`;
  if (name.length > 64) return `is ${name.length} characters long: ${rule}; ${fix}`;
  if (name.startsWith('_')) return `starts with "_": ${rule}; ${fix}`;
  if (/[.-]$/.test(name)) return `ends with "${name.at(-1)}": ${rule}; ${fix}`;
  return undefined;
}

const sqlDatabaseForbidden = '<>*%&:\\/?';

/** Why this SQL Server database name cannot be the target database / migration name, or undefined. */
export function sqlDatabaseNameProblem(name: string): string | undefined {
  const fix = 'rename the database on the source server (or correct the inventory row) and import again';
  const rule =
    'an Azure SQL database name (Microsoft.Sql servers/databases, also the databaseMigrations resource) has 1-128 characters, none of <>*%&:\\/? or control characters, and does not end with "." or a space';
  const bad = [...name].find((char) => controlCharacters.test(char)) ?? firstOf(name, sqlDatabaseForbidden);
  if (bad !== undefined) return `contains ${describeChar(bad)}: ${rule}; ${fix}`;
  if (name.length > 128) return `is ${name.length} characters long: ${rule}; ${fix}`;
  if (/[. ]$/.test(name)) return `ends with "${name.at(-1)}": ${rule}; ${fix}`;
  return undefined;
}

/**
 * The discovered machine's name (`<vCenter with dashes>_<VM UUID>`) names the protected item: the UUID
 * and the vCenter may only hold what Azure Migrate writes there.
 */
export function machineIdPartProblem(value: string, part: 'VM UUID' | 'vCenter'): string | undefined {
  const allowed = part === 'VM UUID' ? /^[A-Za-z0-9-]+$/ : /^[A-Za-z0-9.-]+$/;
  if (allowed.test(value)) return undefined;
  return part === 'VM UUID'
    ? 'must be the VM UUID vCenter reports (letters, digits and hyphens): it names the Azure Migrate machine and its protected item'
    : 'must be the vCenter host name or IPv4 address (letters, digits, "." and "-"): it names the Azure Migrate machine and its protected item';
}
