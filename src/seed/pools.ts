// Realistic values made by faker once, up front, into seeded pools. Rows draw from the pools with the
// fast PRNG: a faker call per row would make the generator several times slower than COPY.
import { Faker, base, en } from '@faker-js/faker';
import type { DatasetShape } from './config.ts';

/** Pools of values, already escaped for COPY text format. */
export interface ValuePools {
  workflowNames: string[];
  errorMessages: string[];
  /** Node names as JSON string literals (quoted), for the data payload. */
  nodeNamesJson: string[];
}

const APPS = ['Slack', 'HubSpot', 'Salesforce', 'Postgres', 'Google Sheets', 'Airtable', 'Notion', 'Stripe', 'Jira',
  'GitHub', 'Zendesk', 'Shopify', 'Mailchimp', 'Twilio', 'S3', 'BigQuery', 'Discord', 'Trello', 'Asana', 'Intercom'];
const NODE_TYPES = ['HTTP Request', 'Code', 'IF', 'Set', 'Merge', 'Switch', 'Webhook', 'Schedule Trigger', 'Wait',
  'Split In Batches', 'Function', 'Postgres', 'Slack', 'Google Sheets', 'Send Email', 'OpenAI', 'Filter'];

/** Escapes a value for COPY ... FROM STDIN text format (backslash, tab, newline, carriage return). */
export function copyEscape(value: string): string {
  if (!/[\\\t\n\r]/.test(value)) return value;
  return value.replace(/[\\\t\n\r]/g, (ch) => (ch === '\\' ? '\\\\' : ch === '\t' ? '\\t' : ch === '\n' ? '\\n' : '\\r'));
}

/** Builds the pools from a faker instance seeded with the dataset seed (deterministic). */
export function buildValuePools(seed: number, shape: DatasetShape): ValuePools {
  const faker = new Faker({ locale: [en, base], seed });
  const app = () => faker.helpers.arrayElement(APPS);

  const names = new Set<string>();
  const templates: (() => string)[] = [
    () => `Sync ${app()} ${faker.company.buzzNoun()} to ${app()}`,
    () => `${capitalize(faker.hacker.verb())} ${faker.hacker.noun()} from ${app()}`,
    () => `${app()} ${faker.commerce.department()} digest`,
    () => `Notify ${app()} on new ${faker.company.buzzNoun()}`,
    () => `Nightly ${faker.database.column()} export to ${app()}`,
  ];
  // Unique names: the runner looks workflows up by id, people look them up by name.
  for (let attempt = 0; names.size < shape.pools.workflowNames && attempt < shape.pools.workflowNames * 20; attempt++) {
    names.add(faker.helpers.arrayElement(templates)());
  }
  for (let i = names.size; names.size < shape.pools.workflowNames; i++) names.add(`Workflow ${i + 1}`);

  const errorTemplates: (() => string)[] = [
    () => `Request failed with status code ${faker.internet.httpStatusCode({ types: ['clientError', 'serverError'] })}`,
    () => `connect ECONNREFUSED ${faker.internet.ipv4()}:${faker.internet.port()}`,
    () => `Cannot read properties of undefined (reading '${faker.database.column()}')`,
    () => `Node "${faker.helpers.arrayElement(NODE_TYPES)}" timed out after ${faker.number.int({ min: 1, max: 300 })}s`,
    () => `${app()} API: ${faker.hacker.phrase()}`,
    () => `The resource you are requesting could not be found: ${faker.system.fileName()}`,
    () => `Invalid JSON in response body at position ${faker.number.int({ min: 1, max: 9000 })}`,
  ];
  const errorMessages = Array.from({ length: shape.pools.errorMessages }, () => faker.helpers.arrayElement(errorTemplates)());
  const nodeNames = Array.from({ length: shape.pools.nodeNames },
    (_, i) => (i < NODE_TYPES.length ? NODE_TYPES[i]! : `${faker.helpers.arrayElement(NODE_TYPES)} ${faker.number.int({ min: 1, max: 9 })}`));

  return {
    workflowNames: [...names].map(copyEscape),
    errorMessages: errorMessages.map(copyEscape),
    nodeNamesJson: nodeNames.map((name) => copyEscape(JSON.stringify(name))),
  };
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
