import { z } from 'zod';

/** A time the machine slept (or the wall clock jumped ahead): no data exists for it. */
const GapSchema = z.object({
  fromMs: z.number(),
  toMs: z.number(),
  /** Who noticed: the wall/monotonic clock comparison, or the desktop shell's power events. */
  source: z.enum(['clock', 'shell']),
});

/** "While you were away": what changed across the last sleep, computed once fresh data is in. */
const AwaySummarySchema = z.object({
  gap: GapSchema,
  /** When the summary was made (after every target scraped again, and the rules ran). */
  atMs: z.number(),
  /** Alerts firing now that were not firing when the machine went to sleep. */
  newlyFiring: z.array(z.object({ labels: z.record(z.string(), z.string()) })),
  /** Targets whose first scrape after the wake failed; wasUp: they were up before the sleep. */
  targetsDown: z.array(z.object({ scrapePool: z.string(), scrapeUrl: z.string(), error: z.string(), wasUp: z.boolean() })),
  /** Certificates whose days left crossed one of 14, 7, 1, 0 during the sleep. */
  certificates: z.array(z.object({ labels: z.record(z.string(), z.string()), daysLeftBefore: z.number(), daysLeftAfter: z.number(), crossedDays: z.number() })),
  /** Series in the index before the sleep and now. */
  series: z.object({ before: z.number(), after: z.number() }),
});

const EnergySettingSchema = z.enum(['auto', 'on', 'off']);

export const PowerSchema = z.object({
  energy: z.object({
    /** auto: on while on battery; on/off: set by hand. */
    setting: EnergySettingSchema,
    /** Whether the machine runs on battery; null when it cannot be told (no battery, unknown OS). */
    onBattery: z.boolean().nullable(),
    active: z.boolean(),
    /** Scrape and rule intervals are multiplied by this while energy mode is active. */
    factor: z.number(),
  }),
  /** Rule evaluation is held until every target has scraped after a wake. */
  rulesHeld: z.boolean(),
  /** Recent gaps, newest last (graphs can mark them). */
  gaps: z.array(GapSchema),
  away: AwaySummarySchema.nullable(),
});

export const SetEnergyModeRequestSchema = z.object({ setting: EnergySettingSchema }).strict();

export type AwaySummary = z.infer<typeof AwaySummarySchema>;
export type PowerState = z.infer<typeof PowerSchema>;
export type EnergySetting = z.infer<typeof EnergySettingSchema>;
