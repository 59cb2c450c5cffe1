// Measures one form on both sides, on one connection inside the A/B transaction: each side's plan (EXPLAIN ANALYZE,
// BUFFERS, after a warming run, in that side's savepoint) and, for a timed form, rounds of blocks in a balanced random
// order. Samples and facts only; judge-time.ts and judge-form.ts decide.
import type pg from 'pg';
import { describePgError } from '../errors.ts';
import { analyzePlan } from '../plan/analyze.ts';
import { explain } from '../plan/explain.ts';
import type { PlanFacts } from '../plan/types.ts';
import type { ClientProtocol, ServerClockMethod } from '../results.ts';
import { createFormSampler, type FormSampler } from '../runner/form-sampler.ts';
import { guarded } from '../runner/scope.ts';
import type { ParamPicker, SqlForm } from '../scenario/define.ts';
import { inSide, renamePlanIndexes, type AbIndexSets, type AbRole } from './index-sets.ts';
import type { AbRound } from './judge-time.ts';

/** One side's plan of a form: facts with the side's index names, or the error its statement raised. */
export type AbSidePlan = { plan: PlanFacts } | { error: string } | { ran: true };

/**
 * Plans a form on each side that has it (the statement runs: writes in a rolled-back savepoint). A DDL or maintenance
 * statement has no plan: it is run once in a rolled-back savepoint, and whether it runs is what is compared.
 */
export async function planSides(
  client: pg.ClientBase, sets: AbIndexSets, forms: Partial<Record<AbRole, SqlForm>>, kind: 'read' | 'write' | 'statement', picker: (i: number) => ParamPicker,
): Promise<Partial<Record<AbRole, AbSidePlan>>> {
  const write = kind !== 'read';
  const out: Partial<Record<AbRole, AbSidePlan>> = {};
  for (const role of ['base', 'head'] as const) {
    const form = forms[role];
    if (!form) continue;
    const params = form.params(picker(0));
    out[role] = await inSide(client, sets, role, async (): Promise<AbSidePlan> => {
      if (kind === 'statement') {
        const failed = await guarded(client, true, true, () => client.query(form.sql, params));
        return failed ? { error: describePgError(failed).split('\n')[0]! } : { ran: true };
      }
      let json: unknown;
      // The first run warms the cache and the side's fresh catalog; the second is the one compared.
      const error = await guarded(client, write, true, async () => {
        await explain(client, form.sql, params, { timing: false });
        json = await explain(client, form.sql, params, { timing: true });
      });
      if (error) return { error: describePgError(error).split('\n')[0]! };
      return { plan: renamePlanIndexes(analyzePlan(json), sets.names[role]) };
    });
  }
  return out;
}

/** What timeSides measured: the rounds on both clocks, and how each side's server clock was read. */
export interface AbTimeSamples {
  client: AbRound[];
  server: AbRound[];
  serverMethod: Record<AbRole, ServerClockMethod>;
  perBlock: number;
}

export interface TimeSidesInput {
  client: pg.ClientBase;
  sets: AbIndexSets;
  forms: Record<AbRole, SqlForm>;
  /** Both sides' execution time from their plans, ms (sizes the blocks). */
  executionMs: Record<AbRole, number>;
  rowsReturned: Record<AbRole, number>;
  write: boolean;
  picker: (i: number) => ParamPicker;
  protocol: ClientProtocol;
  statementsSchema?: string;
  /** Which side runs first in each round (roundOrders). */
  orders: readonly AbRole[];
  /** Wall-clock budget of the form's timed executions, both sides together, ms. */
  budgetMs: number;
}

/** A form slower than this (ms) gets no untimed execution at the start of a block: planning it warms enough. */
const WARM_EXECUTION_BELOW_MS = 50;
/** The most executions a block holds: more rounds, not longer blocks, narrow the interval. */
export const MAX_PER_BLOCK = 20;
/** What a client round trip adds to the execution time, ms (sizes the blocks only). */
const ROUND_TRIP_MS = 0.3;

/** Executions per block: the budget over rounds x 2 sides, at the slower side's cost (x2 with spacers); 1 to MAX_PER_BLOCK. */
export function perBlock(budgetMs: number, rounds: number, executionMs: number, spacers: boolean): number {
  const each = (executionMs + ROUND_TRIP_MS) * (spacers ? 2 : 1);
  return Math.max(1, Math.min(MAX_PER_BLOCK, Math.floor(budgetMs / (2 * rounds * each))));
}

/**
 * Rounds of blocks: in each round, each side (in the round's order) enters its savepoint, plans the statement once
 * (the side's catalog just changed), runs one untimed execution (fast forms), then k timed ones. Both sides use the
 * same parameter sequence (their samplers advance alike).
 */
export async function timeSides(input: TimeSidesInput): Promise<AbTimeSamples> {
  const { client, sets, forms } = input;
  const samplers = {} as Record<AbRole, FormSampler>;
  for (const role of ['base', 'head'] as const) {
    samplers[role] = await inSide(client, sets, role, () => createFormSampler({
      client, form: forms[role], picker: input.picker, protocol: input.protocol, write: input.write, nested: true,
      plan: { rowsReturned: input.rowsReturned[role], executionMs: input.executionMs[role] },
      ...(input.statementsSchema ? { statementsSchema: input.statementsSchema } : {}),
    }));
  }
  const slowest = Math.max(input.executionMs.base, input.executionMs.head);
  const spacers = samplers.base.spacers?.used === true || samplers.head.spacers?.used === true;
  const k = perBlock(input.budgetMs, input.orders.length, slowest, spacers);
  const warmExecution = slowest < WARM_EXECUTION_BELOW_MS;
  const clientRounds: AbRound[] = [];
  const serverRounds: AbRound[] = [];
  for (const first of input.orders) {
    const roundClient: AbRound = { first, base: [], head: [] };
    const roundServer: AbRound = { first, base: [], head: [] };
    for (const role of first === 'base' ? (['base', 'head'] as const) : (['head', 'base'] as const)) {
      const sampler = samplers[role];
      await inSide(client, sets, role, async () => {
        const form = forms[role];
        await guarded(client, input.write, true, () => explain(client, form.sql, form.params(input.picker(0)), { timing: false, analyze: false }));
        if (warmExecution) await sampler.sample(false);
        const c0 = sampler.client.length;
        const s0 = sampler.server.length;
        for (let i = 0; i < k; i++) await sampler.sample(true);
        roundClient[role] = sampler.client.slice(c0);
        roundServer[role] = sampler.server.slice(s0);
      });
    }
    clientRounds.push(roundClient);
    serverRounds.push(roundServer);
  }
  return {
    client: clientRounds, server: serverRounds, perBlock: k,
    serverMethod: { base: samplers.base.serverMethod, head: samplers.head.serverMethod },
  };
}
