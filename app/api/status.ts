import { z } from 'zod';

/** What `status()` answers: who is running, since when, and where the data lives. */
const BuildInfoSchema = z.object({
  version: z.string(),
  /** Git revision the build came from, or "unknown" for an unpacked source tree. */
  revision: z.string(),
  /** Runtime the engine runs on, e.g. "node 20.20.2" or "electron 40.8.5". */
  runtime: z.string(),
  platform: z.string(),
});

/** What Vigil holds and what it costs this machine, for the Status page. */
const CostsSchema = z.object({
  /** Series in the index, and those with samples in open chunks. */
  series: z.number().int().nonnegative(),
  headSeries: z.number().int().nonnegative(),
  /** Samples committed per second over about the last minute; null until a minute has been seen. */
  samplesPerSecond: z.number().nonnegative().nullable(),
  /** Size of the database files, and its growth per hour over up to the last hour (null until measured). */
  storageBytes: z.number().nonnegative(),
  storageGrowthBytesPerHour: z.number().nullable(),
  /** Configured retention (null: none), how far back the stored data reaches, and at the current growth how long until the size limit drops data. */
  retention: z.object({
    /** Oldest sample in sealed chunks (ms); null until a chunk is sealed (up to 2 h after the first samples). */
    oldestSampleMs: z.number().nullable(),
    timeMs: z.number().nonnegative().nullable(),
    bytes: z.number().nonnegative().nullable(),
    sizeLimitReachedInMs: z.number().nonnegative().nullable(),
  }),
  /** Memory by part, bytes: process resident set, V8 heap, buffers outside the heap, the series index's arrays. */
  memory: z.array(z.object({ part: z.string(), bytes: z.number().nonnegative() })),
  /**
   * Whole-process CPU over about the last minute as a share of one core (0.01 = 1 %), and wake-ups
   * per second (voluntary + involuntary context switches of all threads); null until a minute is seen.
   */
  cpu: z.object({ coreShare: z.number().nonnegative().nullable(), wakeupsPerSecond: z.number().nonnegative().nullable() }).optional(),
  /** Main-thread event-loop delay over the last minute, seconds. */
  eventLoopLag: z.object({ p50: z.number(), p99: z.number(), max: z.number() }),
});

export const StatusSchema = z.object({
  build: BuildInfoSchema,
  /** Engine start time, milliseconds since the Unix epoch. */
  startTimeMs: z.number().int().nonnegative(),
  /** Absolute path of the data directory. */
  dataDir: z.string(),
  /** Which shell hosts the engine. */
  shell: z.enum(['electron', 'serve', 'cli', 'test']),
  /** Path of the loaded config file, or null when the embedded default is in use. */
  configFile: z.string().nullable(),
  /** Storage health the user must see: paused ingestion (disk full) and damage found at open. */
  storage: z.object({
    /** Why commits are refused right now (null: writing normally), and since when (ms). */
    paused: z.object({ sinceMs: z.number(), message: z.string() }).nullable(),
    /** The quarantine notice when the database was found damaged at open, else null. */
    quarantine: z.string().nullable(),
  }),
  /**
   * User queries that were running when the engine last stopped without finishing them (a crash,
   * out of memory). Views restored from a URL do not run these again by themselves.
   */
  interruptedQueries: z.array(z.object({ query: z.string(), startedMs: z.number() })),
  /**
   * Why the last config reload was refused (file:line: field: message each), while the previous
   * config keeps running; empty when the last load succeeded.
   */
  configErrors: z.array(z.string()),
  /** What Vigil holds and costs; absent from shells that do not measure it. */
  costs: CostsSchema.optional(),
  /** One entry per remote_write endpoint (absent or empty: none configured). */
  remoteWrite: z
    .array(
      z.object({
        name: z.string(),
        url: z.string(),
        /** Newest stored sample time minus newest sent sample time, seconds; null before the first send. */
        lagSeconds: z.number().nullable(),
        /** Durable log batches not yet sent in full. */
        backlogBatches: z.number().int().nonnegative(),
        /** Samples read for the round in flight and not yet acknowledged. */
        pendingSamples: z.number().int(),
        failedSamples: z.number().nonnegative(),
        /** Native histograms and exemplars dropped on non-recoverable answers. */
        failedHistograms: z.number().nonnegative(),
        failedExemplars: z.number().nonnegative(),
        /** Remote write protocol in use: 2.0 when configured, until a receiver answers 415. */
        protocol: z.enum(['1.0', '2.0']),
        /** The last send error (or null), and when it happened (ms). */
        lastError: z.string().nullable(),
        lastErrorAtMs: z.number(),
      }),
    )
    .optional(),
  /** The durable log remote write reads from: its size, the cap, and samples deleted unsent. */
  remoteWriteLog: z.object({ bytes: z.number().nonnegative(), maxBytes: z.number().nonnegative(), droppedSamples: z.number().nonnegative() }).optional(),
});

export type BuildInfo = z.infer<typeof BuildInfoSchema>;
export type Status = z.infer<typeof StatusSchema>;
