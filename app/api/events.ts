import { z } from 'zod';

/**
 * Events the engine pushes to the renderer: over IPC (`vigil:event`) in the desktop app and as
 * server-sent events (`/api/vigil/events`) in `vigil serve`. Each is validated on arrival.
 */
const NotificationEventSchema = z.object({
  type: z.literal('notification'),
  id: z.string(),
  title: z.string(),
  body: z.string(),
  severity: z.string(),
  /** The alert to open when the notification is clicked. */
  alertFingerprint: z.string().nullable(),
  drill: z.boolean(),
});

export const EngineEventSchema = z.discriminatedUnion('type', [
  NotificationEventSchema,
  z.object({ type: z.literal('alertsChanged') }),
  z.object({ type: z.literal('targetsChanged') }),
  /** Energy mode changed, or a "while you were away" summary is ready (the `power` channel). */
  z.object({ type: z.literal('powerChanged') }),
  /** The memory budget was set through the contract (the desktop shell keeps it for the next start). */
  z.object({ type: z.literal('memoryBudgetChanged') }),
  /** Sent by the desktop shell when a notification is clicked: show this route. */
  z.object({ type: z.literal('navigate'), hash: z.string().regex(/^#\/[a-z]+(\?.*)?$/) }),
]);

export type EngineEvent = z.infer<typeof EngineEventSchema>;
export type NotificationEvent = z.infer<typeof NotificationEventSchema>;

export const ipcEventChannel = 'vigil:event';
export const httpEventsPath = '/api/vigil/events';
