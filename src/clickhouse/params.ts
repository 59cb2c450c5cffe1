// Pure: the analytics parameters of a dataset, and the two renderings of them: ClickHouse literals in the SQL
// text (18.16 has no query parameters) and PostgreSQL $n values.
import type { AnalyticsParam } from './define.ts';

/** The values behind {tenant}, {environment}, {from}, {to} for one scenario on one dataset. */
export type AnalyticsValues = Record<AnalyticsParam, string>;

const DAY_MS = 86_400_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The focus tenant, its busiest environment, and a window of whole days ending at the dataset's anchor. Whole
 * seconds on purpose: where ClickHouse keeps started_at in seconds (before 20.1), `>= from` and `<= to` then
 * select exactly the rows PostgreSQL selects (floor(t) >= s exactly when t >= s, for a whole second s, and no row is
 * later than the anchor).
 */
export function analyticsValues(dataset: { anchor: string; focus: { tenantId: string; environments: { id: string }[] } }, windowDays: number): AnalyticsValues {
  const anchorMs = Date.parse(dataset.anchor);
  if (!Number.isFinite(anchorMs)) throw new RangeError(`The dataset's anchor is not a time: '${dataset.anchor}'`);
  const to = Math.floor(anchorMs / 1000) * 1000;
  return {
    tenant: dataset.focus.tenantId,
    environment: dataset.focus.environments[0]?.id ?? dataset.focus.tenantId,
    from: new Date(to - windowDays * DAY_MS).toISOString(),
    to: new Date(to).toISOString(),
  };
}

/** '2026-10-25T00:00:00.000Z' -> '2026-10-25 00:00:00' (ClickHouse's DateTime text, UTC). */
function clickHouseTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) throw new RangeError(`Not a time: '${iso}'`);
  return d.toISOString().slice(0, 19).replace('T', ' ');
}

/** The ClickHouse SQL with every {placeholder} replaced by a checked literal; an unknown placeholder throws. */
export function renderClickHouseSql(sql: string, values: AnalyticsValues, database: string): string {
  const literal = (name: string): string => {
    switch (name) {
      case 'tenant':
      case 'environment': {
        const v = values[name];
        if (!UUID.test(v)) throw new RangeError(`{${name}} is not a UUID: '${v}'`);
        return `toUUID('${v}')`;
      }
      case 'from':
      case 'to':
        return `toDateTime('${clickHouseTime(values[name])}', 'UTC')`;
      default:
        throw new RangeError(`Unknown placeholder {${name}}: use {tenant}, {environment}, {from} or {to}`);
    }
  };
  return sql.replace(/\{([a-z]+)\}/g, (_, name: string) => literal(name)).replace(/\bFROM executions\b/g, `FROM ${database}.executions`);
}

/** The PostgreSQL parameters in $n order. */
export function postgresValues(names: readonly AnalyticsParam[], values: AnalyticsValues): string[] {
  return names.map((n) => values[n]);
}
