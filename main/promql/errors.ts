/**
 * Typed query errors with Prometheus' wording, so API clients and users see the messages they
 * know from Prometheus. `kind` is stable for the HTTP API's errorType.
 */

export class PromQLError extends Error {
  readonly kind: string = 'execution';
}

/** Bad input: wrong argument values, many-to-many matching, duplicate label sets. */
export class QueryExecutionError extends PromQLError {
  override readonly kind = 'execution';
}

export class TooManySamplesError extends PromQLError {
  override readonly kind = 'too_many_samples';
  /** `detail` follows Prometheus' message, e.g. what the pre-run estimate found. */
  constructor(where = 'query execution', detail?: string) {
    super(`query processing would load too many samples into memory in ${where}${detail ? `; ${detail}` : ''}`);
  }
}

/** The per-query memory ceiling: what the query's intermediate results would hold, in bytes. */
export class QueryMemoryLimitError extends PromQLError {
  override readonly kind = 'too_many_samples';
  constructor(limitBytes: number, where = 'query execution') {
    super(
      `query processing would use more than ${Math.round(limitBytes / 1048576)} MiB of memory in ${where}; ` +
        'select fewer series or a shorter range, or raise --query.max-memory',
    );
  }
}

export class QueryTimeoutError extends PromQLError {
  override readonly kind = 'timeout';
  constructor(where = 'expression evaluation') {
    super(`query timed out in ${where}`);
  }
}

export class QueryCanceledError extends PromQLError {
  override readonly kind = 'canceled';
  constructor(where = 'expression evaluation') {
    super(`query was canceled in ${where}`);
  }
}

export class TooManyPointsError extends PromQLError {
  override readonly kind = 'bad_data';
  constructor(limit: number) {
    super(
      `exceeded maximum resolution of ${limit.toLocaleString('en-US')} points per timeseries. Try decreasing the query resolution (?step=XX)`,
    );
  }
}

export class TooManyConcurrentQueriesError extends PromQLError {
  override readonly kind = 'unavailable';
  constructor(limit: number, queued: number) {
    super(`too many queries: ${limit} running and ${queued} waiting (limits --query.max-concurrency, --query.max-queued); retry when running queries finish`);
  }
}

/** Raised for features the engine deliberately refuses (native histograms). */
export class NotSupportedError extends PromQLError {
  override readonly kind = 'not_supported';
}

/** Native histogram input reached an operation that has no histogram semantics ported yet. */
export class HistogramNotSupportedError extends NotSupportedError {
  constructor(readonly what: string) {
    super(`not supported: native histograms (${what})`);
  }
}

