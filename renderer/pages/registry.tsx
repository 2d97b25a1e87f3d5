import { lazy, type ComponentType } from 'react';
import { parseAppHash, type PageId } from '../../app/app-urls.js';
import { queries } from '../api/engine-reads.js';
import { startFetchWorker } from '../api/client.js';

// Every page is its own chunk, loaded on first visit: the main chunk holds only the shell (nav,
// banners, the API client), so a page opened straight from a link parses only what it draws.
// Monaco (Explore's editor), uPlot, cytoscape (topology) and the grid library each live in the
// chunks of the pages that use them.
const loaders = {
  overview: () => import('../overview/OverviewPage.js').then((m) => ({ default: m.OverviewPage })),
  explore: () => import('./ExplorePage.js').then((m) => ({ default: m.ExplorePage })),
  dashboards: () => import('./DashboardsPage.js').then((m) => ({ default: m.DashboardsPage })),
  topology: () => import('../topology/TopologyPage.js').then((m) => ({ default: m.TopologyPage })),
  alerts: () => import('./AlertsPage.js').then((m) => ({ default: m.AlertsPage })),
  rules: () => import('./RulesPage.js').then((m) => ({ default: m.RulesPage })),
  targets: () => import('./TargetsPage.js').then((m) => ({ default: m.TargetsPage })),
  status: () => import('./StatusPage.js').then((m) => ({ default: m.StatusPage })),
} satisfies Record<PageId, () => Promise<{ default: ComponentType }>>;

/**
 * The page in the address starts loading now, while the main chunk is still rendering the shell;
 * opened straight on a dashboard (a link, a reload, the bench), the dashboard itself is fetched
 * at the same time, not once the page has mounted (the view's read of it joins this one)…
 */
function preloadRoute(): void {
  if (typeof window === 'undefined') return;
  const route = parseAppHash(window.location.hash);
  void loaders[route?.page ?? 'overview']();
  if (route?.page !== 'dashboards' || !route.dashboard) return;
  const view = route.dashboard;
  startFetchWorker();
  // …and its variables resolve as soon as it arrives (dashboards/early-variables.ts); the worker
  // their reads and the panels' queries go through starts meanwhile.
  void Promise.all([queries.fetch('dashboard', { uid: view.uid }), import('../dashboards/early-variables.js')])
    .then(([read, early]) => {
      if (read.data) early.resolveEarly(read.data.dashboard, view);
    })
    .catch(() => undefined);
}
preloadRoute();

export interface PageEntry {
  id: PageId;
  title: string;
  component: ComponentType;
}

/**
 * The pages in the navigation, in order; the first (Overview: what runs, what fires, how to add
 * targets) is where the app opens.
 */
export const pages: readonly PageEntry[] = [
  { id: 'overview', title: 'Overview', component: lazy(loaders.overview) },
  { id: 'explore', title: 'Explore', component: lazy(loaders.explore) },
  { id: 'dashboards', title: 'Dashboards', component: lazy(loaders.dashboards) },
  { id: 'topology', title: 'Topology', component: lazy(loaders.topology) },
  { id: 'alerts', title: 'Alerts', component: lazy(loaders.alerts) },
  { id: 'rules', title: 'Rules', component: lazy(loaders.rules) },
  { id: 'targets', title: 'Targets & Probes', component: lazy(loaders.targets) },
  { id: 'status', title: 'Status', component: lazy(loaders.status) },
];
