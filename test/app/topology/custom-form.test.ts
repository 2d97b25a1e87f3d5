import { describe, expect, it } from 'vitest';
import { customDialectOf, fieldsOf } from '../../../app/topology/custom-form.js';

const blank = fieldsOf(null);

describe('custom dialect form', () => {
  it('turns the fields into a definition: empty optional fields left out, the histogram without _bucket, its unit as a factor', () => {
    const r = customDialectOf({ ...blank, metric: ' rpc_calls_total ', sourceLabel: 'caller', destinationLabel: 'callee', errorMatch: 'code!="OK"', histogram: 'rpc_latency_seconds_bucket', histogramUnit: 's' });
    expect(r).toEqual({ dialect: { metric: 'rpc_calls_total', sourceLabel: 'caller', destinationLabel: 'callee', errorMatch: 'code!="OK"', histogram: 'rpc_latency_seconds', histogramToMs: 1000 }, errors: null });
    expect(fieldsOf(r.dialect)).toEqual({ ...blank, metric: 'rpc_calls_total', sourceLabel: 'caller', destinationLabel: 'callee', errorMatch: 'code!="OK"', histogram: 'rpc_latency_seconds', histogramUnit: 's' });
  });

  it('names each field’s problem', () => {
    const r = customDialectOf({ ...blank, metric: 'rpc-calls', sourceLabel: '', destinationLabel: 'callee' });
    expect(r.dialect).toBeNull();
    expect(r.errors).toEqual({ metric: expect.stringMatching(/metric name/), sourceLabel: 'required' });
    expect(customDialectOf({ ...blank, metric: 'x_total', sourceLabel: 'a', destinationLabel: 'a' }).errors).toEqual({ destinationLabel: 'must differ from the source label' });
  });
});
