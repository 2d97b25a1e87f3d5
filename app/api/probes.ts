import { z } from 'zod';

const CertificateSchema = z.object({
  depth: z.number().int(),
  subject: z.string(),
  issuer: z.string(),
  serialNumber: z.string(),
  fingerprintSha256: z.string(),
  notBeforeMs: z.number(),
  notAfterMs: z.number(),
});

const ProbeLogEntrySchema = z.object({
  atMs: z.number(),
  level: z.enum(['info', 'warn', 'error']),
  phase: z.string(),
  message: z.string(),
});

/** One configured probe (job × module × target) with its latest result. */
const ProbeStatusSchema = z.object({
  job: z.string(),
  module: z.string(),
  prober: z.string(),
  target: z.string(),
  success: z.boolean().nullable(),
  lastRunMs: z.number().nullable(),
  lastDurationMs: z.number().nullable(),
  /** Durations of the last runs, oldest first, for the sparkline. */
  recentDurationsMs: z.array(z.number()),
  /** Why the last run failed, from the probe log; null when it succeeded. */
  failure: z.string().nullable(),
  /** The presented chain, leaf first (depth 0), for the certificate panel. */
  certificates: z.array(CertificateSchema),
  log: z.array(ProbeLogEntrySchema),
});

export const ProbesRequestSchema = z.object({}).strict();
export const ProbesResponseSchema = z.object({ probes: z.array(ProbeStatusSchema) });

export type ProbeStatus = z.infer<typeof ProbeStatusSchema>;
export type Certificate = z.infer<typeof CertificateSchema>;
