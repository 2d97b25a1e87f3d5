import { z } from 'zod';
import type { ChannelSpec } from './channels.js';

/**
 * A stable, reviewable description of an API surface: every channel with the JSON Schema of its
 * request and response. The committed snapshot of this is how a new or changed channel shows up
 * in review.
 */
export function describeSurface(spec: Record<string, ChannelSpec>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(spec).sort()) {
    const channel = spec[name]!;
    out[name] = {
      doc: channel.doc,
      request: z.toJSONSchema(channel.request, { io: 'input', unrepresentable: 'any' }),
      response: z.toJSONSchema(channel.response, { io: 'output', unrepresentable: 'any' }),
    };
  }
  return out;
}
