/// <reference lib="webworker" />
// Holds one source's metric names off the page's main thread and ranks them per key press
// (see worker-names.ts).
import { answerNamesJob, type NamesJob, type NamesState } from './worker-names.js';

const state: NamesState = { list: null };

self.onmessage = async (e: MessageEvent<NamesJob>) => {
  postMessage(await answerNamesJob(state, e.data, fetch));
};
