// The ClickHouse scenarios, a typed list (scenarios/clickhouse/<id>.ts, the file name is the id).
import covering from '../../scenarios/clickhouse/covering-percentiles.ts';
import daily from '../../scenarios/clickhouse/daily-stats-live-aggregate.ts';
import recent from '../../scenarios/clickhouse/recent-failures.ts';
import sparkline from '../../scenarios/clickhouse/sparkline-7d.ts';
import type { ClickHouseScenarioDefinition } from './define.ts';

export interface ClickHouseScenario extends ClickHouseScenarioDefinition {
  id: string;
}

export const CLICKHOUSE_SCENARIOS: readonly ClickHouseScenario[] = [
  { id: 'sparkline-7d', ...sparkline },
  { id: 'daily-stats-live-aggregate', ...daily },
  { id: 'covering-percentiles', ...covering },
  { id: 'recent-failures', ...recent },
];
