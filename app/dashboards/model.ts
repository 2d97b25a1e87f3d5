import { z } from 'zod';

/**
 * Grafana's dashboard JSON model as Vigil uses it: the contract between the dashboard store,
 * import/export and the dashboards page. Field names follow Grafana's generated schema
 * (`@grafana/schema`, `raw/dashboard/x/types.gen.ts`); `test/app/dashboards/model-grafana.test.ts`
 * checks at compile time that every field named here exists there, so a typo fails the build.
 *
 * Every object is a loose object: fields Vigil does not know are kept as they are, so a dashboard
 * imported from Grafana and exported again loses nothing. The schemas describe the CURRENT model
 * (schemaVersion ≥ {@link currentSchemaVersion}); older dashboards go through `migrate.ts` first.
 */

/** The schemaVersion Vigil writes: Grafana 11's (≥ 39, the first without Angular panels). */
export const currentSchemaVersion = 39;

/** Grafana's grid is 24 columns wide; one row unit is 30 px. */
export const gridColumns = 24;

/**
 * A datasource reference as Grafana writes it: an object `{type, uid}` (7.5+), a name string
 * (older), or null/absent for the default. `${DS_X}` placeholders come from shared exports.
 */
const DataSourceRefSchema = z.union([
  z.null(),
  z.string(),
  z.looseObject({ type: z.string().optional(), uid: z.string().optional() }),
]);

/** The one datasource Vigil's engine is, as written into stored and exported dashboards. */
export const vigilDatasource = { type: 'prometheus', uid: 'vigil' } as const;

const GridPosSchema = z.looseObject({
  x: z.number(),
  y: z.number(),
  w: z.number(),
  h: z.number(),
  static: z.boolean().optional(),
});
export type GridPos = z.infer<typeof GridPosSchema>;

const TargetSchema = z.looseObject({
  refId: z.string(),
  expr: z.string().optional(),
  legendFormat: z.string().optional(),
  /** Minimum step, e.g. `30s`, or `$__interval`-style variables. */
  interval: z.string().optional(),
  instant: z.boolean().optional(),
  range: z.boolean().optional(),
  /** `time_series` (default), `table` or `heatmap`. */
  format: z.string().optional(),
  hide: z.boolean().optional(),
  /** Step resolution divisor of Grafana ≤ 8 (`1/2` is 2); kept for round trips. */
  intervalFactor: z.number().optional(),
  exemplar: z.boolean().optional(),
  datasource: DataSourceRefSchema.optional(),
});
export type Target = z.infer<typeof TargetSchema>;

const ThresholdStepSchema = z.looseObject({
  color: z.string(),
  /** null is −Infinity (the base step; JSON cannot write −Infinity). */
  value: z.number().nullable(),
});
const ThresholdsSchema = z.looseObject({
  mode: z.enum(['absolute', 'percentage']),
  steps: z.array(ThresholdStepSchema),
});
export type ThresholdStep = z.infer<typeof ThresholdStepSchema>;

/**
 * One value mapping: `value` (options: {"10": {text, color}}), `range` (options: {from, to,
 * result}), `regex` (options: {pattern, result}) or `special` (options: {match, result}).
 */
const ValueMappingSchema = z.looseObject({
  type: z.string(),
  options: z.record(z.string(), z.unknown()),
});

const FieldColorSchema = z.looseObject({
  /** `thresholds`, `palette-classic`, `fixed`, `continuous-GrYlRd`, … */
  mode: z.string(),
  fixedColor: z.string().optional(),
  seriesBy: z.string().optional(),
});

const FieldConfigSchema = z.looseObject({
  /** Grafana unit id: `bytes`, `percent`, `percentunit`, `s`, `reqps`, `short`, `suffix:x`, … */
  unit: z.string().optional(),
  decimals: z.number().nullable().optional(),
  min: z.number().nullable().optional(),
  max: z.number().nullable().optional(),
  displayName: z.string().optional(),
  noValue: z.string().optional(),
  thresholds: ThresholdsSchema.optional(),
  mappings: z.array(ValueMappingSchema).optional(),
  color: FieldColorSchema.optional(),
  links: z.array(z.unknown()).optional(),
  /** Panel-plugin specific field options (line width, fill opacity, stacking, …). */
  custom: z.record(z.string(), z.unknown()).optional(),
});
export type FieldConfig = z.infer<typeof FieldConfigSchema>;

const MatcherConfigSchema = z.looseObject({
  /** `byName`, `byRegexp`, `byFrameRefID`, `byType`, … */
  id: z.string(),
  options: z.unknown().optional(),
});

const FieldOverrideSchema = z.looseObject({
  matcher: MatcherConfigSchema,
  properties: z.array(z.looseObject({ id: z.string(), value: z.unknown().optional() })),
});

const FieldConfigSourceSchema = z.looseObject({
  defaults: FieldConfigSchema,
  overrides: z.array(FieldOverrideSchema),
});
export type FieldConfigSource = z.infer<typeof FieldConfigSourceSchema>;

const DashboardLinkSchema = z.looseObject({
  title: z.string().optional(),
  /** `link` or `dashboards`. */
  type: z.string().optional(),
  url: z.string().optional(),
  tags: z.array(z.string()).optional(),
  asDropdown: z.boolean().optional(),
  icon: z.string().optional(),
  includeVars: z.boolean().optional(),
  keepTime: z.boolean().optional(),
  targetBlank: z.boolean().optional(),
  tooltip: z.string().optional(),
});
export type DashboardLink = z.infer<typeof DashboardLinkSchema>;

/** Panel types Vigil draws; any other type is kept and shown as a placeholder naming it. */
export const knownPanelTypes = ['timeseries', 'stat', 'gauge', 'bargauge', 'table', 'heatmap', 'text', 'row', 'vigil-topology-panel'] as const;

const panelShape = {
  id: z.number(),
  /** Panel plugin id; unknown ones are kept as they are. */
  type: z.string(),
  title: z.string().optional(),
  description: z.string().optional(),
  gridPos: GridPosSchema,
  datasource: DataSourceRefSchema.optional(),
  targets: z.array(TargetSchema).optional(),
  fieldConfig: FieldConfigSourceSchema.optional(),
  /** Panel-plugin options (legend, tooltip, reduceOptions, …). */
  options: z.record(z.string(), z.unknown()).optional(),
  /** Minimum step for all targets, e.g. `1m`. */
  interval: z.string().optional(),
  maxDataPoints: z.number().nullable().optional(),
  timeFrom: z.string().nullable().optional(),
  timeShift: z.string().nullable().optional(),
  transparent: z.boolean().optional(),
  links: z.array(z.unknown()).optional(),
  transformations: z.array(z.looseObject({ id: z.string(), options: z.unknown().optional() })).optional(),
  /** Repeat this panel (or row) for each value of the named variable. */
  repeat: z.string().optional(),
  repeatDirection: z.enum(['h', 'v']).optional(),
  maxPerRow: z.number().optional(),
  pluginVersion: z.string().optional(),
  /** Rows only: whether collapsed; a collapsed row holds its panels in `panels`. */
  collapsed: z.boolean().optional(),
};

export interface Panel extends z.infer<z.ZodObject<typeof panelShape, z.core.$loose>> {
  /** Rows only: the panels of a collapsed row (an expanded row's panels follow it in the list). */
  panels?: Panel[];
}

const PanelSchema: z.ZodType<Panel, Panel> = z.looseObject({
  ...panelShape,
  get panels(): z.ZodOptional<z.ZodArray<z.ZodType<Panel, Panel>>> {
    return z.array(PanelSchema).optional();
  },
});

/** Variable types Grafana has and Vigil resolves; others (adhoc, …) are kept as they are. */
export const knownVariableTypes = ['query', 'custom', 'constant', 'interval', 'textbox', 'datasource'] as const;

const VariableOptionSchema = z.looseObject({
  text: z.union([z.string(), z.array(z.string())]),
  value: z.union([z.string(), z.array(z.string())]),
  selected: z.boolean().optional(),
});
export type VariableOption = z.infer<typeof VariableOptionSchema>;

const VariableSchema = z.looseObject({
  name: z.string().min(1),
  type: z.string(),
  label: z.string().nullable().optional(),
  description: z.string().nullable().optional(),
  /**
   * `query`: `label_values(label)`, `label_values(metric, label)`, `metrics(re)`,
   * `query_result(expr)` — a string, or (Grafana 10+) `{query, refId, qryType}`. `custom`: comma
   * separated values. `constant`/`textbox`: the value. `interval`: `1m,5m,1h`. `datasource`: type.
   */
  query: z.union([z.string(), z.looseObject({ query: z.string().optional() })]).optional(),
  /** Grafana's display copy of a query variable's query. */
  definition: z.string().optional(),
  datasource: DataSourceRefSchema.optional(),
  current: z.union([VariableOptionSchema, z.looseObject({})]).optional(),
  options: z.array(VariableOptionSchema).optional(),
  multi: z.boolean().optional(),
  includeAll: z.boolean().optional(),
  allValue: z.string().nullable().optional(),
  /** Filter/extract regex over the values (Go/RE2 dialect in Vigil, JavaScript in Grafana). */
  regex: z.string().optional(),
  /** 0 none, 1/2 alphabetical asc/desc, 3/4 numerical, 5/6 case-insensitive, 7/8 natural. */
  sort: z.number().optional(),
  /** 0 never, 1 on load, 2 on time range change. */
  refresh: z.number().optional(),
  /** 0 shown, 1 label hidden, 2 hidden. */
  hide: z.number().optional(),
  skipUrlSync: z.boolean().optional(),
  /** Interval variables: offer `auto` computed as range / auto_count, not below auto_min. */
  auto: z.boolean().optional(),
  auto_count: z.number().optional(),
  auto_min: z.string().optional(),
});
export type Variable = z.infer<typeof VariableSchema>;

const AnnotationQuerySchema = z.looseObject({
  name: z.string().optional(),
  datasource: DataSourceRefSchema.optional(),
  enable: z.boolean().optional(),
  builtIn: z.number().optional(),
  hide: z.boolean().optional(),
  iconColor: z.string().optional(),
  expr: z.string().optional(),
  type: z.string().optional(),
});

const TimeRangeSchema = z.looseObject({
  /** `now-6h`, an ISO date, or epoch ms as a string. */
  from: z.string(),
  to: z.string(),
});

/** A dashboard in the current model (what the store keeps and the page draws). */
export const DashboardSchema = z.looseObject({
  uid: z.string().min(1).max(40),
  title: z.string(),
  description: z.string().optional(),
  tags: z.array(z.string()),
  time: TimeRangeSchema,
  timezone: z.string().optional(),
  /** Auto refresh interval (`30s`), or '' / false for off. */
  refresh: z.union([z.string(), z.literal(false)]).optional(),
  schemaVersion: z.number(),
  /** Grafana's per-instance save counter; Vigil keeps its own versions and leaves this alone. */
  version: z.number().optional(),
  id: z.number().nullable().optional(),
  editable: z.boolean(),
  /** 0 off, 1 shared crosshair, 2 shared crosshair and tooltip. */
  graphTooltip: z.number().optional(),
  liveNow: z.boolean().optional(),
  panels: z.array(PanelSchema),
  templating: z.looseObject({ list: z.array(VariableSchema) }),
  annotations: z.looseObject({ list: z.array(AnnotationQuerySchema) }),
  links: z.array(DashboardLinkSchema),
  timepicker: z.looseObject({ refresh_intervals: z.array(z.string()).optional(), hidden: z.boolean().optional() }).optional(),
  /** Dashboards from grafana.com keep their gallery id. */
  gnetId: z.number().nullable().optional(),
});
export type Dashboard = z.infer<typeof DashboardSchema>;
