import { lazy, type ComponentType } from 'react';
import { parseAppHash, type PageId } from '../../app/app-urls.js';
import { queries } from '../api/engine-reads.js';
import { StatusPage } from './StatusPage.js';
import { ExplorePage } from './ExplorePage.js';
import { TargetsPage } from './TargetsPage.js';
import { AlertsPage } from './AlertsPage.js';
import { RulesPage } from './RulesPage.js';
import { TopologyPage } from '../topology/TopologyPage.js';
import { OverviewPage } from '../overview/OverviewPage.js';

// Dashboards bring the grid library, Markdown and its sanitiser (~52 kB gzip): loaded on first visit.
const loadDashboardsPage = () => import('./DashboardsPage.js');
const DashboardsPage = lazy(() => loadDashboardsPage().then((m) => ({ default: m.DashboardsPage })));

/**
 * Opened straight on a dashboard (a link, a reload, the bench): its chunk and the dashboard
 * itself are fetched while the main chunk renders, not one after the other once the page mounts
 * (the view's read of the dashboard joins this one).
 */
function preloadDashboard(): void {
  if (typeof window === 'undefined') return;
  const route = parseAppHash(window.location.hash);
  if (route?.page !== 'dashboards') return;
  void loadDashboardsPage();
  if (route.dashboard) void queries.fetch('dashboard', { uid: route.dashboard.uid });
}
preloadDashboard();

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
  { id: 'overview', title: 'Overview', component: OverviewPage },
  { id: 'explore', title: 'Explore', component: ExplorePage },
  { id: 'dashboards', title: 'Dashboards', component: DashboardsPage },
  { id: 'topology', title: 'Topology', component: TopologyPage },
  { id: 'alerts', title: 'Alerts', component: AlertsPage },
  { id: 'rules', title: 'Rules', component: RulesPage },
  { id: 'targets', title: 'Targets & Probes', component: TargetsPage },
  { id: 'status', title: 'Status', component: StatusPage },
];
