/** ARM conventions shared by every resource provider the simulator serves: errors, ids, routing, paging. */

export type HttpMethod = 'GET' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';

/** An ARM error response: `{"error":{"code","message"}}` with an HTTP status. */
export class ArmError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ArmError';
  }

  toBody(): { error: { code: string; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }
}

export const badRequest = (code: string, message: string) => new ArmError(400, code, message);
export const notFound = (code: string, message: string) => new ArmError(404, code, message);
export const conflict = (code: string, message: string) => new ArmError(409, code, message);

/** ARM ids compare case-insensitively; state is keyed by the lower-cased id. */
export const idKey = (id: string): string => id.toLowerCase();
export const sameId = (a: string, b: string): boolean => idKey(a) === idKey(b);

/** Last segment of an ARM id. */
export const lastSegment = (id: string): string => id.slice(id.lastIndexOf('/') + 1);

/** Parses `/subscriptions/{s}/resourceGroups/{rg}/...` (any case) into its subscription and group. */
export function parseResourceGroupId(
  id: string,
): { subscriptionId: string; resourceGroup: string } | undefined {
  const match = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)/i.exec(id);
  return match ? { subscriptionId: match[1] ?? '', resourceGroup: match[2] ?? '' } : undefined;
}

/** What a route handler returns; the server adds the ARM headers. */
export interface ArmResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Recorded in the audit for mutating calls. */
  outcome?: AuditOutcome;
  /** Resource the call acted on, for the audit (defaults to the request path). */
  resourceId?: string;
}

export type AuditOutcome =
  | 'created'
  | 'updated'
  | 'accepted'
  | 'deleted'
  | 'noop'
  | 'rejected'
  | 'throttled'
  | 'faulted'
  | 'unauthorized';

export interface ArmRequest {
  method: HttpMethod;
  url: URL;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  principal: string;
  tenantId: string;
}

export interface ArmOperation {
  /** Operation id as in the REST spec, e.g. `ReplicationProtectedItems_Create`. */
  operation: string;
  /** api-versions accepted (the first is quoted in errors). */
  apiVersions: readonly string[];
  handle(request: ArmRequest): ArmResponse;
}

export interface ArmRoute {
  pattern: string;
  methods: Partial<Record<HttpMethod, ArmOperation>>;
}

interface CompiledRoute {
  segments: { literal?: string; param?: string }[];
  route: ArmRoute;
}

export interface RouteMatch {
  route: ArmRoute;
  params: Record<string, string>;
}

/**
 * Matches request paths against `/subscriptions/{subscriptionId}/...` patterns. Literal segments match
 * case-insensitively (ARM treats `Subscriptions` and `subscriptions` alike); parameters are captured
 * exactly as sent, URL-decoded.
 */
export class ArmRouter {
  private readonly routes: CompiledRoute[] = [];

  add(...routes: ArmRoute[]): this {
    for (const route of routes) {
      const segments = route.pattern
        .split('/')
        .filter(Boolean)
        .map((segment) =>
          segment.startsWith('{') && segment.endsWith('}')
            ? { param: segment.slice(1, -1) }
            : { literal: segment.toLowerCase() },
        );
      this.routes.push({ segments, route });
    }
    return this;
  }

  match(pathname: string): RouteMatch | undefined {
    const parts = pathname.split('/').filter(Boolean);
    for (const { segments, route } of this.routes) {
      if (segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      const ok = segments.every((segment, index) => {
        const part = parts[index] ?? '';
        if (segment.literal !== undefined) return segment.literal === part.toLowerCase();
        params[segment.param ?? ''] = safeDecode(part);
        return true;
      });
      if (ok) return { route, params };
    }
    return undefined;
  }
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw badRequest('InvalidResourceName', `The path segment '${part}' is not valid URL encoding.`);
  }
}

/** Validates the `api-version` query parameter the way ARM does. */
export function checkApiVersion(query: URLSearchParams, accepted: readonly string[]): void {
  const versions = query.getAll('api-version');
  if (versions.length === 0) {
    throw badRequest(
      'MissingApiVersionParameter',
      `The api-version query parameter (?api-version=) is required for all requests. Supported api-versions are '${accepted.join(', ')}'.`,
    );
  }
  const unsupported = versions.find((version) => !accepted.includes(version));
  if (unsupported !== undefined) {
    throw badRequest(
      'InvalidApiVersionParameter',
      `The api-version '${unsupported}' is invalid. The supported versions are '${accepted.join(', ')}'.`,
    );
  }
}

export const defaultPageSize = 100;

/**
 * One page of a list: `{ value, nextLink? }` with an absolute nextLink carrying `$skipToken`. With `keyOf`
 * the token is the last key returned and the next page starts after it, so items created or deleted
 * between page reads never shift an unchanged item out of the listing (a continuation token, as ARM's
 * are); without it the token is an offset. Both `$skipToken` and `skipToken` are accepted on the way in.
 */
export function page<T>(
  all: readonly T[],
  request: Pick<ArmRequest, 'url' | 'query'>,
  baseUrl: string,
  /** `sortedByKey`: `all` is already in `keyOf` order (saves a sort per page of a large listing). */
  options: { pageSize?: number; keyOf?: (item: T) => string; sortedByKey?: boolean } = {},
): { value: T[]; nextLink?: string } {
  const { pageSize = defaultPageSize, keyOf } = options;
  const token = request.query.get('$skipToken') ?? request.query.get('skipToken');
  let rest: readonly T[];
  if (keyOf) {
    const sorted = options.sortedByKey
      ? all
      : [...all].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
    // The page starts at the first key after the token.
    let start = 0;
    if (token !== null) {
      let end = sorted.length;
      while (start < end) {
        const middle = (start + end) >> 1;
        if (keyOf(sorted[middle]!) > token) end = middle;
        else start = middle + 1;
      }
    }
    rest = sorted.slice(start);
  } else {
    const offset = Number(token ?? '0');
    if (!Number.isInteger(offset) || offset < 0) {
      throw badRequest('InvalidSkipToken', `The skip token '${token}' is not valid for this list.`);
    }
    rest = all.slice(offset);
  }
  const value = rest.slice(0, pageSize);
  if (rest.length <= pageSize) return { value };
  const next = keyOf
    ? encodeURIComponent(keyOf(value[value.length - 1]!))
    : String(all.length - rest.length + pageSize);
  // Keep the caller's query as sent (minus any skip token) and add a literal `$skipToken`, as ARM does.
  const kept = request.url.search
    .slice(1)
    .split('&')
    .filter((pair) => pair !== '' && !/^(%24|\$)?skipToken=/i.test(pair));
  kept.push(`$skipToken=${next}`);
  return { value, nextLink: `${baseUrl}${request.url.pathname}?${kept.join('&')}` };
}

/** Reads a required object body or fails with ARM's `InvalidRequestContent`. */
export function objectBody(body: unknown, what: string): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw badRequest('InvalidRequestContent', `The request content for ${what} must be a JSON object.`);
  }
  return body as Record<string, unknown>;
}

export function optionalObject(value: unknown, field: string): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw badRequest('InvalidRequestContent', `'${field}' must be a JSON object.`);
  }
  return value as Record<string, unknown>;
}

export function optionalString(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw badRequest('InvalidRequestContent', `'${field}' must be a string.`);
  return value;
}

export function requiredString(value: unknown, field: string): string {
  const text = optionalString(value, field);
  if (text === undefined) {
    throw badRequest('InvalidRequestContent', `The required field '${field}' is missing or empty.`);
  }
  return text;
}

export function optionalEnum<T extends string>(
  value: unknown,
  field: string,
  allowed: readonly T[],
): T | undefined {
  const text = optionalString(value, field);
  if (text === undefined) return undefined;
  const found = allowed.find((candidate) => candidate.toLowerCase() === text.toLowerCase());
  if (!found) {
    throw badRequest(
      'InvalidRequestContent',
      `'${text}' is not a valid value for '${field}'. Allowed values: ${allowed.join(', ')}.`,
    );
  }
  return found;
}

export function requiredEnum<T extends string>(value: unknown, field: string, allowed: readonly T[]): T {
  const found = optionalEnum(value, field, allowed);
  if (found === undefined) {
    throw badRequest(
      'InvalidRequestContent',
      `The required field '${field}' is missing. Allowed values: ${allowed.join(', ')}.`,
    );
  }
  return found;
}
