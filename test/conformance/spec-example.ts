/**
 * Conformance against the Azure REST API specifications: the recorded examples (`examples/*.json` of
 * `Azure/azure-rest-api-specs`, MIT) are vendored under `spec-examples/<service>/<api-version>/` with the
 * spec path they came from, and a simulator response is compared with the example's response for the
 * fields the factory reads; every response body also goes through the SDK's own model mappers.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';

const examplesDir = path.join(import.meta.dirname, 'spec-examples');

export interface SpecExample {
  /** Path in `Azure/azure-rest-api-specs`, recorded so a reader can find the original. */
  source: string;
  parameters: Record<string, unknown>;
  responses: Record<string, { headers?: Record<string, string>; body?: unknown }>;
}

/** A vendored example, e.g. `site-recovery/2023-06-01/ReplicationRecoveryPlans_TestFailover.json`. */
export function specExample(file: string): SpecExample {
  return JSON.parse(readFileSync(path.join(examplesDir, file), 'utf8')) as SpecExample;
}

/** Reads a dotted path (`properties.providerSpecificDetails.instanceType`; `[0]` for array items). */
export function valueAt(value: unknown, dotted: string): unknown {
  let current = value;
  for (const part of dotted.replace(/\[(\d+)\]/g, '.$1').split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

const kindOf = (value: unknown) => (Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value);

/**
 * The simulator's response agrees with the example's: the same status, the named headers present (LRO
 * headers: `Azure-AsyncOperation`, `Retry-After`) and absent, and each named field of the same JSON kind
 * (`shape`) or the same value (`same`: enums and states the factory branches on).
 */
export function expectLikeExample(
  actual: { status: number; headers: Record<string, string | undefined>; body?: unknown },
  example: SpecExample,
  checks: {
    status?: number;
    headers?: string[];
    absentHeaders?: string[];
    shape?: string[];
    same?: string[];
  },
): void {
  const status = checks.status ?? Number(Object.keys(example.responses)[0]);
  const expected = example.responses[String(status)];
  expect(expected, `${example.source} has a ${status} response`).toBeDefined();
  expect(actual.status, `status (${example.source})`).toBe(status);
  const header = (name: string) =>
    Object.entries(actual.headers).find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1];
  for (const name of checks.headers ?? []) {
    expect(header(name), `header ${name} (${example.source})`).toBeDefined();
  }
  for (const name of checks.absentHeaders ?? []) {
    expect(header(name), `header ${name} must be absent (${example.source})`).toBeUndefined();
  }
  for (const field of checks.shape ?? []) {
    const wanted = valueAt(expected!.body, field);
    expect(wanted, `${field} exists in ${example.source}`).toBeDefined();
    expect(kindOf(valueAt(actual.body, field)), `${field} (${example.source})`).toBe(kindOf(wanted));
  }
  for (const field of checks.same ?? []) {
    const wanted = valueAt(expected!.body, field);
    expect(wanted, `${field} exists in ${example.source}`).toBeDefined();
    expect(valueAt(actual.body, field), `${field} (${example.source})`).toEqual(wanted);
  }
}

interface ModelMapper {
  serializedName?: string;
  readOnly?: boolean;
  type: {
    name: string;
    className?: string;
    uberParent?: string;
    polymorphicDiscriminator?: { serializedName: string };
    modelProperties?: Record<string, ModelMapper>;
    element?: ModelMapper;
    value?: ModelMapper;
    allowedValues?: unknown[];
  };
}

/**
 * What breaks the SDK's generated model (`Mappers`) in a response body: a value of the wrong JSON type,
 * an unparsable date, an unknown polymorphic `instanceType`, a value outside a declared enum, or a field
 * the model does not have (the simulator inventing what Azure does not send). core-client's own
 * `deserialize` passes wrong primitive types through, so the body is walked here with the same mappers.
 */
export function mapperProblems(mappers: Record<string, unknown>, modelName: string, body: unknown): string[] {
  const models = mappers as Record<string, ModelMapper | undefined> & {
    discriminators?: Record<string, ModelMapper>;
  };
  const problems: string[] = [];
  const walk = (mapper: ModelMapper, value: unknown, at: string): void => {
    if (value === undefined || value === null) return;
    const { type } = mapper;
    switch (type.name) {
      case 'String':
      case 'Uuid':
        if (typeof value !== 'string') problems.push(`${at}: ${JSON.stringify(value)} is not a string`);
        return;
      case 'Number':
        if (typeof value !== 'number') problems.push(`${at}: ${JSON.stringify(value)} is not a number`);
        return;
      case 'Boolean':
        if (typeof value !== 'boolean') problems.push(`${at}: ${JSON.stringify(value)} is not a boolean`);
        return;
      case 'DateTime':
      case 'Date':
        if (typeof value !== 'string' || Number.isNaN(Date.parse(value)))
          problems.push(`${at}: ${JSON.stringify(value)} is not a date`);
        return;
      case 'Enum':
        if (!type.allowedValues?.includes(value))
          problems.push(
            `${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(type.allowedValues)}`,
          );
        return;
      case 'Sequence':
        if (!Array.isArray(value)) problems.push(`${at}: not an array`);
        else value.forEach((item, index) => walk(type.element!, item, `${at}[${index}]`));
        return;
      case 'Dictionary':
        if (typeof value !== 'object' || Array.isArray(value)) problems.push(`${at}: not an object`);
        else for (const [key, item] of Object.entries(value)) walk(type.value!, item, `${at}.${key}`);
        return;
      case 'Composite':
        walkComposite(mapper, value, at);
        return;
      default:
        return; // 'any', 'Object', streams: anything goes
    }
  };
  const walkComposite = (mapper: ModelMapper, value: unknown, at: string): void => {
    if (typeof value !== 'object' || Array.isArray(value)) {
      problems.push(`${at}: not an object`);
      return;
    }
    let model = mapper.type.className ? (models[mapper.type.className] ?? mapper) : mapper;
    const discriminator = model.type.polymorphicDiscriminator?.serializedName;
    if (discriminator && model.type.uberParent) {
      const kind = (value as Record<string, unknown>)[discriminator];
      const concrete =
        models.discriminators?.[`${model.type.uberParent}.${String(kind)}`] ??
        (model.type.uberParent === model.type.className ? undefined : model);
      if (!concrete && kind !== model.serializedName) {
        problems.push(
          `${at}.${discriminator}: ${JSON.stringify(kind)} is not a known ${model.type.uberParent}`,
        );
        return;
      }
      model = concrete ?? model;
    }
    const properties = Object.values(model.type.modelProperties ?? {});
    const known = new Set(properties.map((property) => property.serializedName?.split('.')[0]));
    for (const key of Object.keys(value as Record<string, unknown>)) {
      if (!known.has(key)) problems.push(`${at}.${key}: not in the SDK model ${model.type.className}`);
    }
    for (const property of properties) {
      if (!property.serializedName) continue;
      // Flattened properties (`properties.provisioningState`) name their path with dots.
      const path = property.serializedName.split('.');
      let current: unknown = value;
      for (const part of path) current = (current as Record<string, unknown> | undefined)?.[part];
      walk(property, current, `${at}.${property.serializedName}`);
    }
  };
  const root = models[modelName];
  if (!root) return [`the SDK has no model ${modelName}`];
  walk(root, body, modelName);
  return problems;
}

/** The body passes the SDK model (see `mapperProblems`); the failure lists every problem. */
export function expectMapperAccepts(
  mappers: Record<string, unknown>,
  modelName: string,
  body: unknown,
): void {
  expect(mapperProblems(mappers, modelName, body)).toEqual([]);
}
