// Pure: a ClickHouse version string -> what execbench may use on it. The table design and the queries adapt to
// the two versions reachable here (chdb's 26.x in-process, Debian's 18.16 server); a query that needs what a
// server lacks is skipped naming the feature, never run into a syntax error.

/** A ClickHouse feature execbench's table or queries use, with the version from which execbench relies on it. */
export type ClickHouseFeature = 'DateTime64' | 'LowCardinality';

/** Parsed `SELECT version()`, e.g. 26.7.2.1 or 18.16.1. */
export interface ClickHouseVersion {
  text: string;
  major: number;
  minor: number;
}

/**
 * From which version execbench uses each feature. DateTime64 (millisecond timestamps) arrived in 20.1; before it
 * DateTime holds whole seconds. LowCardinality exists in 18.16 but is marked experimental there
 * (allow_experimental_low_cardinality_type); execbench uses it from 20.1, where it is an ordinary type.
 */
export const FEATURE_SINCE: Readonly<Record<ClickHouseFeature, { major: number; minor: number; what: string }>> = {
  DateTime64: { major: 20, minor: 1, what: 'DateTime64(3) millisecond timestamps' },
  LowCardinality: { major: 20, minor: 1, what: 'LowCardinality(String) dictionary-encoded columns (experimental before)' },
};

export function parseClickHouseVersion(text: string): ClickHouseVersion {
  const m = /^(\d+)\.(\d+)/.exec(text.trim());
  if (!m) throw new RangeError(`Not a ClickHouse version: '${text}' (expected e.g. 26.7.2.1)`);
  return { text: text.trim(), major: Number(m[1]), minor: Number(m[2]) };
}

export function hasFeature(version: ClickHouseVersion, feature: ClickHouseFeature): boolean {
  const since = FEATURE_SINCE[feature];
  return version.major > since.major || (version.major === since.major && version.minor >= since.minor);
}

/** The features of `needs` this version lacks, each as one phrase: "DateTime64 (DateTime64(3) ..., 20.1+)". */
export function missingFeatures(version: ClickHouseVersion, needs: readonly ClickHouseFeature[]): string[] {
  return needs.filter((f) => !hasFeature(version, f)).map((f) => `${f} (${FEATURE_SINCE[f].what}, ${FEATURE_SINCE[f].major}.${FEATURE_SINCE[f].minor}+)`);
}

/** How finely the copy keeps started_at on this version: 1 ms with DateTime64, else 1000 ms (DateTime's seconds). */
export function timePrecisionMs(version: ClickHouseVersion): 1 | 1000 {
  return hasFeature(version, 'DateTime64') ? 1 : 1000;
}
