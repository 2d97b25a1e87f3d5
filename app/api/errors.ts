import { z } from 'zod';

/**
 * Errors cross process boundaries as plain data. `kind` says whose fault it is so a client can
 * decide between "fix your input" and "try again"; `where` names what caused it.
 */
export const ApiErrorSchema = z.object({
  kind: z.enum(['bad_request', 'unknown_channel', 'forbidden', 'internal', 'unavailable']),
  message: z.string(),
  where: z.string().optional(),
  /** Prometheus' `errorType` (bad_data, execution, timeout, canceled, …) for query errors. */
  errorType: z.string().optional(),
  /** Character range in the query the error points at. */
  pos: z.object({ start: z.number().int(), end: z.number().int() }).optional(),
});
export type ApiErrorData = z.infer<typeof ApiErrorSchema>;

export class ApiError extends Error {
  readonly kind: ApiErrorData['kind'];
  readonly where: string | undefined;
  readonly errorType: string | undefined;
  readonly pos: ApiErrorData['pos'];
  constructor(data: ApiErrorData) {
    super(data.message);
    this.name = 'ApiError';
    this.kind = data.kind;
    this.where = data.where;
    this.errorType = data.errorType;
    this.pos = data.pos;
  }
  toData(): ApiErrorData {
    const out: ApiErrorData = { kind: this.kind, message: this.message };
    if (this.where !== undefined) out.where = this.where;
    if (this.errorType !== undefined) out.errorType = this.errorType;
    if (this.pos !== undefined) out.pos = this.pos;
    return out;
  }
}

/** Formats a zod failure as one readable line naming the offending fields. */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.length > 0 ? issue.path.join('.') : '(root)';
      return `${path}: ${issue.message}`;
    })
    .join('; ');
}
