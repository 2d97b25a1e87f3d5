import { describe, expect, expectTypeOf, it } from 'vitest';
import type * as Grafana from '@grafana/schema';
import {
  DashboardSchema,
  type Dashboard,
  type DashboardLink,
  type FieldConfig,
  type FieldConfigSource,
  type GridPos,
  type Panel,
  type Target,
  type ThresholdStep,
  type Variable,
  type VariableOption,
} from '../../../app/dashboards/model.js';

/**
 * Vigil's dashboard model is written by hand as zod schemas (it needs runtime validation and
 * must keep unknown fields); Grafana's generated types (`@grafana/schema`, a type-only dev
 * dependency) are the reference for field names. These checks fail to compile when a field Vigil
 * names does not exist in Grafana's model.
 */
type Named<T> = Exclude<keyof T, number> & string;
/** Declared keys only (the loose objects' `[k: string]: unknown` index signature removed). */
type KnownKeys<T> = keyof { [K in keyof T as string extends K ? never : K]: 0 };
type Missing<Ours, Theirs> = Exclude<KnownKeys<Ours>, Named<Theirs>>;

/** Fields of Grafana's `Target` come from the Prometheus data query (packages/grafana-schema/…/prometheus). */
type PromTarget = { refId: string; expr: string; legendFormat: string; interval: string; instant: boolean; range: boolean; format: string; hide: boolean; intervalFactor: number; exemplar: boolean; datasource: unknown };

describe('the dashboard model follows Grafana’s field names', () => {
  it('names only fields that exist in @grafana/schema', () => {
    // Fields Vigil knows that the generated 'x' schema lacks, each with why it is still Grafana's.
    type DashboardExtra = never;
    expectTypeOf<Exclude<Missing<Dashboard, Grafana.Dashboard>, DashboardExtra>>().toEqualTypeOf<never>();
    // Rows (collapsed, panels) are Grafana's RowPanel; the model folds them into one panel type.
    expectTypeOf<Missing<Panel, Grafana.Panel & Grafana.RowPanel>>().toEqualTypeOf<never>();
    expectTypeOf<Missing<GridPos, Grafana.GridPos>>().toEqualTypeOf<never>();
    expectTypeOf<Missing<FieldConfig, Grafana.FieldConfig>>().toEqualTypeOf<never>();
    expectTypeOf<Missing<FieldConfigSource, Grafana.FieldConfigSource>>().toEqualTypeOf<never>();
    expectTypeOf<Missing<ThresholdStep, Grafana.Threshold>>().toEqualTypeOf<never>();
    expectTypeOf<Missing<Variable, Grafana.VariableModel>>().toEqualTypeOf<'definition' | 'auto' | 'auto_count' | 'auto_min'>();
    expectTypeOf<Missing<VariableOption, Grafana.VariableOption>>().toEqualTypeOf<never>();
    expectTypeOf<Missing<DashboardLink, Grafana.DashboardLink>>().toEqualTypeOf<never>();
    expectTypeOf<Missing<Target, PromTarget>>().toEqualTypeOf<never>();
    expect(DashboardSchema).toBeDefined();
  });
});
