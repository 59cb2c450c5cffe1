// Pure: what the measurements of each form on both sides say, and what the gate decides for the run. The plan half
// (index, plan shape, buffers, rows) compares one EXPLAIN (ANALYZE, BUFFERS) per side made on the same table in the
// same transaction, so it is exact: a difference is the commits' doing. The time half is judge-time.ts's.
import { comparePlanFacts, DEFAULT_COMPARE_OPTIONS, type SignalCheck } from '../gate/compare.ts';
import { EXIT } from '../errors.ts';
import type { Clock } from '../results.ts';
import type { AbRole } from './index-sets.ts';
import { decideAbTime, judgeAbTime, type AbTimeDecision, type AbTimeRule, AB_TIME_RULE } from './judge-time.ts';
import type { AbSidePlan, AbTimeSamples } from './measure-form.ts';

/** Everything measured about one scenario form on the two sides. */
export interface AbFormFacts {
  scenarioId: string;
  form: 'documented' | 'corrected';
  title: string;
  kind: 'read' | 'write' | 'statement';
  /** Gated on the head (or on the base, for a form the head lacks). */
  gated: boolean;
  sql: Partial<Record<AbRole, string>>;
  plans: Partial<Record<AbRole, AbSidePlan>>;
  /** The clock the form's limit names (the time half compares it where both sides read it the same way). */
  thresholdClock: Clock;
  /** Rounds measured (a timed form: gated reads); confirmation: measured again because the first flagged. */
  time?: { first: AbTimeSamples; confirmation?: AbTimeSamples };
  /** Why there are no rounds (not gated, a write, a side failed, not on both sides). */
  untimed?: string;
}

export type AbHalf = 'plan' | 'time';

/** The verdict on one form. */
export interface AbFormVerdict {
  scenarioId: string;
  form: 'documented' | 'corrected';
  title: string;
  kind: AbFormFacts['kind'];
  gated: boolean;
  presence: 'both' | 'base-only' | 'head-only';
  sqlChanged: boolean;
  plan: { status: 'passed' | 'regressed' | 'not-compared'; checks: SignalCheck[]; words: string };
  time: { status: 'passed' | 'regressed' | 'unconfirmed' | 'not-measured'; clock?: Clock; decision?: AbTimeDecision; words: string };
  status: 'passed' | 'regressed' | 'missing' | 'new' | 'not-compared';
  /** What failed, per half. */
  reasons: { half: AbHalf; words: string }[];
}

/** The clock the time half compares: the limit's, where both sides read the server clock the same way; else client. */
export function comparedClock(facts: Pick<AbFormFacts, 'thresholdClock'>, samples: AbTimeSamples): Clock {
  const sameServer = samples.serverMethod.base === samples.serverMethod.head && samples.server.every((r) => r.base.length > 0 && r.head.length > 0);
  return facts.thresholdClock === 'server' && sameServer ? 'server' : 'client';
}

/** Judges one measurement on a clock: a confirmation on the first measurement's compared clock, so both read alike. */
export function judgeSamples(samples: AbTimeSamples, clock: Clock, comparisons: number, rule: AbTimeRule = AB_TIME_RULE) {
  return judgeAbTime(clock === 'server' ? samples.server : samples.client, clock, comparisons, rule);
}

/** Judges one form. `comparisons`: the run's gated time comparisons (the false-alarm level is divided among them). */
export function judgeAbForm(facts: AbFormFacts, comparisons: number, options: { time?: AbTimeRule } = {}): AbFormVerdict {
  const opts = DEFAULT_COMPARE_OPTIONS;
  const rule = options.time ?? AB_TIME_RULE;
  const base = facts.plans.base;
  const head = facts.plans.head;
  const presence = base && head ? 'both' : base ? 'base-only' : 'head-only';
  const sqlChanged = facts.sql.base !== undefined && facts.sql.head !== undefined && facts.sql.base !== facts.sql.head;
  const common = { scenarioId: facts.scenarioId, form: facts.form, title: facts.title, kind: facts.kind, gated: facts.gated, presence, sqlChanged } as const;
  if (presence === 'base-only') {
    return { ...common, status: 'missing', reasons: [], plan: { status: 'not-compared', checks: [], words: 'in the base, not in the head (removed, renamed or filtered out)' }, time: { status: 'not-measured', words: 'not on both sides' } };
  }
  if (presence === 'head-only') {
    return { ...common, status: 'new', reasons: [], plan: { status: 'not-compared', checks: [], words: 'new in the head: nothing to compare with' }, time: { status: 'not-measured', words: 'not on both sides' } };
  }
  const reasons: AbFormVerdict['reasons'] = [];
  let plan: AbFormVerdict['plan'];
  const b = base!;
  const hd = head!;
  if ('error' in hd && 'error' in b) {
    // Failing before and after is no regression (the document's own statements that cannot run do, on both sides).
    plan = { status: 'passed', checks: [], words: b.error === hd.error ? `fails on both sides alike: ${hd.error}` : `fails on both sides: base ${b.error}; head ${hd.error}` };
  } else if ('error' in hd) {
    plan = { status: 'regressed', checks: [], words: `the head's statement fails: ${hd.error}` };
    reasons.push({ half: 'plan', words: plan.words });
  } else if ('error' in b) {
    plan = { status: 'passed', checks: [], words: `the base's statement failed (${b.error}); the head's runs` };
  } else if ('ran' in b || 'ran' in hd) {
    plan = { status: 'passed', checks: [], words: 'runs on both sides (DDL or maintenance: no plan to compare)' };
  } else {
    const checks = comparePlanFacts(b.plan, hd.plan, opts);
    const failed = checks.filter((c) => !c.passed);
    plan = { status: failed.length > 0 ? 'regressed' : 'passed', checks, words: failed.length > 0 ? failed.map((c) => c.message).join('; ') : checks.map((c) => c.message).join('; ') };
    for (const c of failed) reasons.push({ half: 'plan', words: c.message });
  }
  let time: AbFormVerdict['time'];
  if (!facts.time) {
    time = { status: 'not-measured', words: facts.untimed ?? 'not timed' };
  } else {
    const clock = comparedClock(facts, facts.time.first);
    const first = judgeSamples(facts.time.first, clock, comparisons, rule);
    const confirmation = facts.time.confirmation ? judgeSamples(facts.time.confirmation, clock, comparisons, rule) : undefined;
    if (first.flagged && !confirmation) {
      time = { status: 'not-measured', clock, words: `${first.words}; flagged but not confirmed (the confirmation was not measured): not gated` };
    } else {
      const decision = decideAbTime(first, confirmation);
      time = { status: decision.status, clock, decision, words: decision.words };
      if (decision.status === 'regressed') reasons.push({ half: 'time', words: decision.words });
    }
  }
  return { ...common, status: reasons.length > 0 ? 'regressed' : plan.status === 'not-compared' ? 'not-compared' : 'passed', plan, time, reasons };
}

/** The gate's decision on a run of A/B verdicts. */
export interface AbDecision {
  exitCode: number;
  /** Failures in a half the gate fails on. */
  reasons: string[];
  /** Failures found in a half the gate does not fail on (reported). */
  ignored: string[];
  /** Not failures: new forms, missing forms with --allow-missing, unconfirmed slowdowns. */
  warnings: string[];
}

/**
 * Maps the verdicts of the gated forms to an exit code: a regression in a half named in failOn fails (exit 1); a gated
 * form the base has and the head lacks fails the plan half unless allowMissing; so does a run that compared no gated
 * form at all. Forms that are not gated are reported, never fatal.
 */
export function decideAb(verdicts: readonly AbFormVerdict[], options: { failOn: readonly AbHalf[]; allowMissing: boolean }): AbDecision {
  const fatal = new Set(options.failOn);
  const reasons: string[] = [];
  const ignored: string[] = [];
  const warnings: string[] = [];
  const where = (v: AbFormVerdict) => `${v.scenarioId} (${v.form})`;
  for (const v of verdicts) {
    if (!v.gated) continue;
    if (v.status === 'missing') {
      const line = `${where(v)}: plan: gated in the base, not measured in the head (removed, renamed or filtered out): keep it, or accept its removal with --allow-missing`;
      (options.allowMissing ? warnings : fatal.has('plan') ? reasons : ignored).push(line);
      continue;
    }
    if (v.status === 'new') {
      warnings.push(`${where(v)}: new in the head, gated from now on (nothing to compare it with)`);
      continue;
    }
    for (const r of v.reasons) (fatal.has(r.half) ? reasons : ignored).push(`${where(v)}: ${r.half}: ${r.words}`);
    if (v.time.status === 'unconfirmed') warnings.push(`${where(v)}: time: ${v.time.words}`);
  }
  const compared = verdicts.filter((v) => v.gated && v.presence === 'both').length;
  if (compared === 0) {
    const line = 'nothing was compared: no gated form is on both sides (check --scenario, and that both refs have scenarios/)';
    (options.allowMissing ? warnings : reasons).push(line);
  }
  return { exitCode: reasons.length > 0 ? EXIT.gate : EXIT.ok, reasons, ignored, warnings };
}
