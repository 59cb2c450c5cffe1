// What a team's query file imports: `import { defineQuery } from 'execbench'` (docs/add-a-query.md).
export { defineQuery, type TeamLimit, type TeamLimits, type TeamQuery } from './scenario/query.ts';
export type { ParamPicker, PlanContract } from './scenario/define.ts';
