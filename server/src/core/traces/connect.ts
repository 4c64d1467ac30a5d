import { checkedJson, displayUrl, httpGet, type HttpSourceOptions } from './http';
import { JaegerLegacySource } from './jaeger-legacy';
import { JaegerV3Source } from './jaeger-v3';
import { DEFAULT_RECEIVER_HOST, DEFAULT_RECEIVER_PORT } from './receiver';
import { TraceSourceError, type TraceSource } from './source';

export type JaegerApi = 'auto' | 'v3' | 'legacy';

/** The local receiver's read API, for `--source local`. */
export const LOCAL_SOURCE_URL = `http://${DEFAULT_RECEIVER_HOST}:${DEFAULT_RECEIVER_PORT}`;

/**
 * A Jaeger query service: api_v3 when the server has it, else the legacy /api (Jaeger v1).
 * Asks `/api/v3/services` once to decide; a server without api_v3 answers 404 or with its UI page.
 */
export async function connectJaeger(options: HttpSourceOptions, api: JaegerApi = 'auto'): Promise<TraceSource> {
  if (api === 'v3') return new JaegerV3Source(options);
  if (api === 'legacy') return new JaegerLegacySource(options);
  const where = `${displayUrl(options.baseUrl)}/api/v3/services`;
  try {
    const body = checkedJson<{ services?: unknown }>(await httpGet(options, '/api/v3/services'), where);
    if (Array.isArray(body.services)) return new JaegerV3Source(options);
  } catch (error) {
    const noV3 = error instanceof TraceSourceError && (error.kind === 'not-found' || error.kind === 'bad-response');
    if (!noV3) throw error;
  }
  const legacy = new JaegerLegacySource(options);
  try {
    await legacy.services();
  } catch (error) {
    if (error instanceof TraceSourceError && (error.kind === 'not-found' || error.kind === 'bad-response')) {
      throw new TraceSourceError(error.kind, `${displayUrl(options.baseUrl)} serves neither Jaeger's api_v3 nor its /api (is this the query port, 16686, with the right base path?)`, error.status);
    }
    throw error;
  }
  return legacy;
}

/** `local` (the embedded receiver on its default port) or a Jaeger URL. */
export async function openTraceSource(spec: string, options: Omit<HttpSourceOptions, 'baseUrl'> = {}, api: JaegerApi = 'auto'): Promise<TraceSource> {
  if (spec === 'local') return new JaegerV3Source({ ...options, baseUrl: LOCAL_SOURCE_URL });
  if (!/^https?:\/\//.test(spec)) throw new TraceSourceError('bad-request', `--source must be "local" or an http(s) URL of a Jaeger query service (got "${spec}")`);
  return connectJaeger({ ...options, baseUrl: spec }, api);
}
