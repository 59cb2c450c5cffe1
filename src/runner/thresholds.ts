// Pure: which latency threshold applies to a scenario at a scale.
import { NAMED_SCALES, type NamedScale, type ScenarioDefinition, type Threshold } from '../scenario/define.ts';
import { NAMED_SCALES as NAMED_SCALE_ROWS } from '../seed/scale.ts';
import type { ScaleSpec } from '../seed/types.ts';


/**
 * The threshold for a scale. Named scales use their own entry; a custom integer scale borrows the
 * nearest named scale's (by log distance) and is marked derived, saying so. A team's own limit is never derived:
 * one limit for every scale applies as written, a per-scale one says which scale's it is.
 */
export function thresholdFor(scenario: ScenarioDefinition, scale: ScaleSpec): Threshold | undefined {
  if (!scenario.thresholds) return undefined;
  if ((NAMED_SCALES as readonly string[]).includes(scale.label)) return scenario.thresholds[scale.label as NamedScale];
  // 5m and 10m: the spec's table for large tenants is "1M+"; its figures apply as the document states them (derived
  // where its 1M entry is), named as applied at that scale.
  if ((scale.label === '5m' || scale.label === '10m') && scenario.origin !== 'team') {
    const large = scenario.thresholds['1m'];
    return { ...large, source: `${large.source} (the spec's 1M+ table, applied at ${scale.label})` };
  }
  const nearest = [...NAMED_SCALES].sort(
    (a, b) => Math.abs(Math.log(NAMED_SCALE_ROWS[a]! / scale.focusRows)) - Math.abs(Math.log(NAMED_SCALE_ROWS[b]! / scale.focusRows)),
  )[0]!;
  const base = scenario.thresholds[nearest];
  if (scenario.origin === 'team') {
    const same = NAMED_SCALES.every((s) => scenario.thresholds![s].p95Ms === base.p95Ms && scenario.thresholds![s].clock === base.clock);
    return same ? { ...base } : { ...base, source: `${base.source}, applied at ${scale.focusRows} rows (the nearest named scale)` };
  }
  return { ...base, derived: true, source: `borrowed from the ${nearest} scale for ${scale.focusRows} rows: ${base.source}` };
}
