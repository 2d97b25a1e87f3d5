import { z } from 'zod';

/**
 * Errors cross process boundaries as plain data. `kind` says whose fault it is so a client can
 * decide between "fix your input" and "try again"; `where` names what caused it.
 */
export const ApiErrorSchema = z.object({
  kind: z.enum(['bad_request', 'unknown_channel', 'forbidden', 'internal', 'unavailable']),
  message: z.string(),
  where: z.string().optional(),
});
export type ApiErrorData = z.infer<typeof ApiErrorSchema>;

export class ApiError extends Error {
  readonly kind: ApiErrorData['kind'];
  readonly where: string | undefined;
  constructor(data: ApiErrorData) {
    super(data.message);
    this.name = 'ApiError';
    this.kind = data.kind;
    this.where = data.where;
  }
  toData(): ApiErrorData {
    return this.where === undefined
      ? { kind: this.kind, message: this.message }
      : { kind: this.kind, message: this.message, where: this.where };
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
