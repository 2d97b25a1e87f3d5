import type { ComponentType } from 'react';
import { StatusPage } from './StatusPage.js';

export interface PageEntry {
  id: string;
  title: string;
  component: ComponentType;
}

/**
 * The pages in the navigation, in order. Only pages that exist are listed; Explore, Dashboards,
 * Topology, Alerts and Targets & Probes join as their capabilities land.
 */
export const pages: readonly PageEntry[] = [{ id: 'status', title: 'Status', component: StatusPage }];
