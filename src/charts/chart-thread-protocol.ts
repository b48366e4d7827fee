import type { IncidentChart, IncidentChartInput } from './render-incident-chart.js';

/** A chart to draw, numbered so that its answer finds its caller. */
export interface ChartRequest {
  id: number;
  input: IncidentChartInput;
}

/** What the thread sends back: the image and the axis range, or why it could not draw it. */
export type ChartAnswer =
  | ({ id: number; ok: true } & Pick<IncidentChart, 'png' | 'width' | 'height' | 'yMin' | 'yMax'>)
  | { id: number; ok: false; error: string };
