import { EventEmitter } from 'node:events';
import type { EngineEvent } from '../app/api/events.js';

/** The engine's event bus: notifications and change signals for whichever shell is attached. */
export class EngineEvents {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(100);
  }

  emit(event: EngineEvent): void {
    this.emitter.emit('event', event);
  }

  subscribe(listener: (event: EngineEvent) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }
}
