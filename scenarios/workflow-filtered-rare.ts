import { workflowFilteredScenario } from '../src/scenario/families.ts';

export default workflowFilteredScenario('rare');
