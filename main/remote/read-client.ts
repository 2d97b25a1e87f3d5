/**
 * One `remote_read` endpoint: a Prometheus remote read request (one Query; STREAMED_XOR_CHUNKS
 * preferred, SAMPLES accepted; snappy) sent
 * with the block's HTTP client settings (auth, TLS, proxy, headers through main/http-client/), and
 * the answer decoded into series. Errors read as Prometheus' client words them, so the warning a
 * query shows for a failing remote is the one Prometheus would show.
 */
import { STATUS_CODES, type Agent } from 'node:http';
import type { Config } from '../config/schema.js';
import { authorizationHeader } from '../http-client/auth.js';
import { httpRequest, type HttpResponse } from '../http-client/request.js';
import { decodeReadResponse, encodeReadRequest, snappyCompress, snappyUncompress, type PbTimeSeries } from './proto.js';
import type { ReadRemote } from './fanout.js';
import { seriesOfFrames } from './read-frames.js';
import { endpointAgent, type Endpoint } from './send.js';
import { endpointOf, remoteName } from './queue-settings.js';


/** LabelMatcher.Type of prompb: 0 EQ, 1 NEQ, 2 RE, 3 NRE. */
export interface ReadMatcher {
  readonly type: number;
  readonly name: string;
  readonly value: string;
}

export interface ReadQuery {
  readonly startMs: number;
  readonly endMs: number;
  readonly matchers: readonly ReadMatcher[];
  readonly hints?: { readonly stepMs?: number; readonly func?: string; readonly rangeMs?: number };
}

/** A compressed answer larger than this is refused (a runaway remote must not fill memory). */
const maxCompressedBytes = 256 << 20;
/** …and so is one that would expand beyond this. */
const maxDecodedBytes = 1 << 30;

export class RemoteReadClient {
  private readonly agent: Agent;

  constructor(
    readonly name: string,
    readonly endpoint: Endpoint,
  ) {
    this.agent = endpointAgent(endpoint.url);
  }

  /** The series of one query; throws with Prometheus' wording on any failure. */
  async read(q: ReadQuery, signal?: AbortSignal): Promise<PbTimeSeries[]> {
    const ep = this.endpoint;
    const hints = q.hints === undefined ? undefined : { step_ms: q.hints.stepMs ?? 0, func: q.hints.func ?? '', start_ms: q.startMs, end_ms: q.endMs, range_ms: q.hints.rangeMs ?? 0, grouping: [], by: false };
    const body = snappyCompress(
      encodeReadRequest({
        queries: [{ start_timestamp_ms: q.startMs, end_timestamp_ms: q.endMs, matchers: q.matchers.map((m) => ({ ...m })), ...(hints !== undefined ? { hints } : {}) }],
        // Streamed chunks first (smaller, and what Prometheus serves from its chunks), SAMPLES for older servers.
        accepted_response_types: [1, 0],
      }),
    );
    const headers: Record<string, string> = {
      ...ep.headers,
      'Content-Encoding': 'snappy',
      'Accept-Encoding': 'snappy',
      'Content-Type': 'application/x-protobuf',
      'User-Agent': ep.userAgent,
      'X-Prometheus-Remote-Read-Version': '0.1.0',
    };
    let res: HttpResponse;
    try {
      const authorization = await authorizationHeader(ep.auth);
      if (authorization !== undefined) headers['Authorization'] = authorization;
      res = await httpRequest(ep.url, {
        method: 'POST',
        headers,
        body,
        tls: ep.tls,
        agent: this.agent,
        timeoutMs: ep.timeoutMs,
        ...(signal !== undefined ? { signal } : {}),
        maxBodyBytes: maxCompressedBytes,
        followRedirects: ep.followRedirects,
        proxy: ep.proxy,
      });
    } catch (err) {
      throw new Error(`error sending request: ${(err as Error).message}`);
    }
    if (res.status < 200 || res.status > 299) {
      throw new Error(`remote server ${ep.url.href} returned HTTP status ${res.status} ${STATUS_CODES[res.status] ?? ''}: ${res.body.subarray(0, 512).toString('utf8').trim()}`);
    }
    try {
      const type = String(res.headers['content-type'] ?? '');
      if (type.startsWith('application/x-streamed-protobuf')) {
        if (!type.includes('proto=prometheus.ChunkedReadResponse')) throw new Error(`unsupported content type ${JSON.stringify(type)}`);
        return seriesOfFrames(res.body, 1)[0]!;
      }
      const decoded = decodeReadResponse(snappyUncompress(res.body, maxDecodedBytes));
      if (decoded.results.length !== 1) throw new Error(`responses: want 1, got ${decoded.results.length}`);
      return decoded.results[0]!.timeseries;
    } catch (err) {
      throw new Error(`error reading response from ${ep.url.href}: ${(err as Error).message}`);
    }
  }

  close(): void {
    this.agent.destroy();
  }
}

/**
 * The remote_read blocks of a config as fanout remotes. A block unchanged since `previous` keeps
 * its client (and its kept-alive connections); the clients of removed blocks are closed once
 * their queries can have ended (after their remote_timeout).
 */
export function readRemotesOf(cfg: Config, userAgent: string, previous: ReadonlyMap<string, RemoteReadClient>): { remotes: ReadRemote[]; clients: Map<string, RemoteReadClient> } {
  const clients = new Map<string, RemoteReadClient>();
  const remotes: ReadRemote[] = [];
  for (const c of cfg.remote_read) {
    const key = JSON.stringify(c);
    const client = clients.get(key) ?? previous.get(key) ?? new RemoteReadClient(remoteName(c), endpointOf(c, userAgent));
    clients.set(key, client);
    remotes.push({
      name: client.name,
      read: (q, signal) => client.read(q, signal),
      readRecent: c.read_recent,
      requiredMatchers: c.required_matchers,
      externalLabels: c.filter_external_labels ? cfg.global.external_labels : {},
    });
  }
  for (const [key, old] of previous) {
    if (!clients.has(key)) setTimeout(() => old.close(), old.endpoint.timeoutMs).unref();
  }
  return { remotes, clients };
}

