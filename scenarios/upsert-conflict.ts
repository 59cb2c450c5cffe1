import { upsertScenario } from '../src/scenario/families.ts';

export default upsertScenario('conflict');
