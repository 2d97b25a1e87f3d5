import type { Panel } from '../../../app/dashboards/model.js';
import type { ResolvedVariable } from '../../../app/dashboards/variables.js';
import type { PanelData } from '../panel-data.js';

/** What every panel component gets: the panel's JSON, its data (already shaped) and its size. */
export interface PanelProps {
  panel: Panel;
  data: PanelData;
  width: number;
  height: number;
  variables: ReadonlyMap<string, ResolvedVariable>;
  /** A drag-selected time range on a graph. */
  onZoom?: (startMs: number, endMs: number) => void;
}
