/**
 * ARM REST calls for APIs the registry's SDKs lack (the SQL migration API 2025-06-30, target tier
 * scaling), through core-client's `ServiceClient` (the same credential, retry and TLS pipeline as the
 * generated SDKs) and core-lro's `createHttpPoller` (the same long-running-operation engine).
 */
import type { ServiceClient } from '@azure/core-client';
import { createHttpPoller, type LroResponse, type OperationState } from '@azure/core-lro';
import {
  createHttpHeaders,
  createPipelineRequest,
  RestError,
  type HttpMethods,
} from '@azure/core-rest-pipeline';

export interface ArmResponseBody {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

export interface LroOptions {
  /** A poller saved by `onPollerState` in an earlier attempt: resume polling instead of re-sending. */
  resumeFrom?: string;
  /** Called with the serialised poller after the initial request and after every poll. */
  onPollerState?: (state: string) => void;
  /** Stops polling (the operation itself goes on in Azure). */
  abortSignal?: AbortSignal;
}

export class ArmRest {
  constructor(
    private readonly client: Pick<ServiceClient, 'sendRequest'>,
    private readonly endpoint: string,
    private readonly pollIntervalMs: number,
  ) {}

  url(path: string, apiVersion: string): string {
    const base = path.includes('://') ? path : `${this.endpoint.replace(/\/$/, '')}${path}`;
    return `${base}${base.includes('?') ? '&' : '?'}api-version=${apiVersion}`;
  }

  /** One request; a 4xx/5xx answer throws a RestError carrying Azure's error body in `details`. */
  async send(
    method: HttpMethods,
    url: string,
    body?: unknown,
    abortSignal?: AbortSignal,
  ): Promise<ArmResponseBody> {
    const request = createPipelineRequest({
      url,
      method,
      headers: createHttpHeaders({ 'content-type': 'application/json', accept: 'application/json' }),
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      ...(abortSignal ? { abortSignal } : {}),
    });
    const response = await this.client.sendRequest(request);
    const text = response.bodyAsText ?? '';
    const parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    if (response.status >= 400) {
      const error = (parsed.error ?? {}) as { code?: string; message?: string };
      const failure = new RestError(error.message ?? `HTTP ${response.status} from ${method} ${url}`, {
        code: error.code ?? `Http${response.status}`,
        statusCode: response.status,
        request,
        response,
      });
      // The whole ARM error body: Site Recovery's specific code is in `error.details[]` (`azureErrorCode`).
      failure.details = parsed;
      throw failure;
    }
    return { status: response.status, headers: response.headers.toJSON(), body: parsed };
  }

  /** GET a resource; `undefined` when it does not exist (404). */
  async get<T>(path: string, apiVersion: string): Promise<T | undefined> {
    try {
      return (await this.send('GET', this.url(path, apiVersion))).body as T;
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 404) return undefined;
      throw error;
    }
  }

  /** A long-running operation polled to its end by core-lro; resolves with the final resource (if any). */
  async lro<T>(
    method: HttpMethods,
    path: string,
    apiVersion: string,
    body?: unknown,
    options: LroOptions = {},
  ): Promise<T> {
    const url = this.url(path, apiVersion);
    const asLro = (result: ArmResponseBody): LroResponse => ({
      flatResponse: result.body,
      rawResponse: { statusCode: result.status, headers: result.headers, body: result.body },
    });
    const poller = await createHttpPoller<T, OperationState<T>>(
      {
        requestPath: url,
        requestMethod: method,
        sendInitialRequest: async () => asLro(await this.send(method, url, body)),
        sendPollRequest: async (pollPath: string) => asLro(await this.send('GET', pollPath)),
      },
      {
        intervalInMs: this.pollIntervalMs,
        ...(options.resumeFrom ? { restoreFrom: options.resumeFrom } : {}),
      },
    );
    const save = () => options.onPollerState?.(poller.toString());
    save();
    poller.onProgress(save);
    return poller.pollUntilDone(options.abortSignal ? { abortSignal: options.abortSignal } : {});
  }
}
