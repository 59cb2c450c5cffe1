// Vega-Lite spec -> static SVG, in Node. The report then needs no script at all and opens offline.
import { compile, type TopLevelSpec } from 'vega-lite';
import { View, parse } from 'vega';

/** Compiles a Vega-Lite spec and renders it headless ('none' renderer) to an SVG string. */
export async function renderChartSvg(spec: TopLevelSpec): Promise<string> {
  const { spec: vegaSpec } = compile(spec);
  // No loader use: every chart carries its data inline, so vega never reaches for the network.
  const view = new View(parse(vegaSpec), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    return svg;
  } finally {
    view.finalize();
  }
}
