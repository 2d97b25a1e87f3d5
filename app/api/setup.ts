import { z } from 'zod';

/** A website probed over HTTPS (Vigil's `vigil_website` module), added with "Add a website". */
const WebsiteSchema = z.object({
  /** The https:// address probed; the probe's `instance` label. */
  url: z.string(),
  /** A name to show instead of the address; empty: none. */
  name: z.string(),
});

/** What the first launch runs, each switched by one toggle; persisted in `<data>/setup.json`. */
const SetupTogglesSchema = z.object({
  /** Vigil's own /metrics (job `vigil`). Built-in config only. */
  self: z.boolean(),
  /** This machine (job `node`, the in-process host collector). Built-in config only. */
  host: z.boolean(),
  /** The demo fleet: 10 simulated hosts on loopback (job `demo-fleet`). */
  demoFleet: z.boolean(),
  /** The demo service mesh in Linkerd's metric names (job `demo-mesh`). */
  demoMesh: z.boolean(),
});

export const SetupSettingsSchema = SetupTogglesSchema.extend({
  version: z.literal(1),
  websites: z.array(WebsiteSchema),
  /** A prometheus.yml applied by the onboarding import; used when Vigil starts without --config. */
  config: z.string().nullable().default(null),
  /** Rule files imported on their own, loaded beside the config's. */
  ruleFiles: z.array(z.string()).default([]),
  /** A blackbox module file imported on its own; used when the config names none. */
  blackboxFile: z.string().nullable().default(null),
  /** The tracing UI an exemplar's trace id opens: a URL template with `${traceId}`; "" for none. */
  tracingUrl: z.string().default(''),
});

export const SetupSchema = z.object({
  settings: SetupSettingsSchema,
  /** The config file Vigil runs with; null: the built-in config (the self and host toggles apply only then). */
  configFile: z.string().nullable(),
  /** Jobs the settings add to (or keep in) the running config, for the overview's "what is running". */
  jobs: z.array(z.object({ toggle: z.enum(['self', 'host', 'demoFleet', 'demoMesh', 'websites']), job: z.string() })),
  /** The network this machine is on (null: it cannot be told; every job runs). */
  network: z.object({ gateway: z.string().nullable(), interfaces: z.array(z.string()), dnsSuffixes: z.array(z.string()) }).nullable(),
  /** Jobs bound to another network (`vigil_network`): paused, their targets not reachable from here. */
  away: z.array(z.object({ job: z.string(), network: z.string() })),
  /** Why a toggle could not take effect (a demo server that did not start, a job name the config already uses). */
  problems: z.array(z.string()),
});

export const SetSetupTogglesRequestSchema = SetupTogglesSchema.partial().strict();
export const AddWebsiteRequestSchema = z.object({ url: z.string(), name: z.string().optional() }).strict();
export const RemoveWebsiteRequestSchema = z.object({ url: z.string() }).strict();
export const SetTracingUrlRequestSchema = z.object({ url: z.string() }).strict();

export type SetupSettings = z.infer<typeof SetupSettingsSchema>;
export type Setup = z.infer<typeof SetupSchema>;
export type SetupToggle = keyof z.infer<typeof SetupTogglesSchema>;
