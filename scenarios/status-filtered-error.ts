import { statusFilteredScenario } from '../src/scenario/families.ts';

export default statusFilteredScenario('error');
