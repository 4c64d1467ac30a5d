import * as http from 'http';
import * as https from 'https';
import { TraceSourceError } from './source';

export interface HttpSourceOptions {
  /** Base URL including any path prefix, e.g. https://tracing.example.com/jaeger */
  baseUrl: string;
  /** Sent as `Authorization: Bearer ...`; never logged, never part of an error message. */
  bearerToken?: string;
  headers?: Record<string, string>;
  /** PEM of extra certificate authorities to trust. */
  ca?: string | Buffer;
  /** TLS verification is on unless this is explicitly false. */
  rejectUnauthorized?: boolean;
  timeoutMs?: number;
}

export const DEFAULT_TIMEOUT_MS = 10_000;

export interface HttpResponse {
  status: number;
  body: string;
}

/** The base URL without credentials, query or trailing slash: safe to show and log. */
export function displayUrl(baseUrl: string): string {
  const url = new URL(baseUrl);
  url.username = '';
  url.password = '';
  url.search = '';
  url.hash = '';
  return url.toString().replace(/\/$/, '');
}

/**
 * GET with Node's http/https (custom CA and TLS verification are per request there, which the
 * built-in fetch does not offer without an extra dispatcher package).
 */
export function httpGet(options: HttpSourceOptions, pathAndQuery: string): Promise<HttpResponse> {
  const base = new URL(options.baseUrl);
  const url = new URL(base.pathname.replace(/\/$/, '') + pathAndQuery, base);
  const client = url.protocol === 'https:' ? https : http;
  const headers: Record<string, string> = { Accept: 'application/json', ...(options.headers ?? {}) };
  if (options.bearerToken) headers.Authorization = `Bearer ${options.bearerToken}`;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const where = `${displayUrl(options.baseUrl)}${url.pathname}`;
  return new Promise((resolve, reject) => {
    const request = client.request(
      url,
      {
        method: 'GET',
        headers,
        ...(url.protocol === 'https:' ? { ca: options.ca, rejectUnauthorized: options.rejectUnauthorized !== false } : {}),
        auth: url.username ? `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` : undefined,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', (error) => reject(new TraceSourceError('unreachable', `${where}: ${error.message}`)));
      },
    );
    request.setTimeout(timeoutMs, () => {
      request.destroy(new TraceSourceError('timeout', `${where}: no answer within ${timeoutMs} ms`));
    });
    request.on('error', (error: Error & { code?: string }) => {
      if (error instanceof TraceSourceError) return reject(error);
      const tls = /CERT|SSL|TLS|self.signed|unable to verify/i.test(`${error.code ?? ''} ${error.message}`);
      reject(
        new TraceSourceError(
          tls ? 'tls' : 'unreachable',
          tls ? `${where}: TLS verification failed (${error.message}); trust the server's CA with a custom CA file` : `${where}: ${error.message}`,
        ),
      );
    });
    request.end();
  });
}

/** The message of a Jaeger error body (`{"error":{"httpCode","message"}}` or legacy `{"errors":[{"msg"}]}`), if any. */
function errorMessage(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { error?: { message?: string }; errors?: { msg?: string }[] | null };
    return parsed.error?.message ?? parsed.errors?.map((e) => e.msg).filter(Boolean).join('; ') ?? undefined;
  } catch {
    return body.trim().slice(0, 200) || undefined;
  }
}

/** Turns a non-2xx status into a TraceSourceError and a 2xx body into JSON. */
export function checkedJson<T>(response: HttpResponse, where: string): T {
  const { status, body } = response;
  if (status < 200 || status >= 300) {
    const detail = errorMessage(body);
    const suffix = detail ? `: ${detail}` : '';
    if (status === 400) throw new TraceSourceError('bad-request', `${where}: the server rejected the query (400)${suffix}`, status);
    if (status === 401 || status === 403) throw new TraceSourceError('unauthorized', `${where}: not authorised (${status}); check the token${suffix}`, status);
    if (status === 404) throw new TraceSourceError('not-found', `${where}: not found (404)${suffix}`, status);
    if (status >= 500) throw new TraceSourceError('server-error', `${where}: server error ${status}${suffix}`, status);
    throw new TraceSourceError('bad-response', `${where}: unexpected status ${status}${suffix}`, status);
  }
  try {
    return JSON.parse(body) as T;
  } catch (error) {
    throw new TraceSourceError('bad-response', `${where}: the response is not JSON (${(error as Error).message})`, status);
  }
}
