/**
 * The parity corpus as a test: every session must either agree with gdb or
 * be listed in differences.json, and no listed session may agree (so the list
 * stays honest). The agreement number is printed.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCorpus, loadKnown, loadSessions, report, runAll, type Outcome, type Report } from './runner.js';

describe('parity corpus against gdb 13', () => {
  let outcomes: Outcome[] = [];
  let r: Report;
  beforeAll(async () => {
    const sessions = loadSessions(buildCorpus());
    outcomes = await runAll(sessions, 2);
    r = report(outcomes, loadKnown(), true);
    process.stdout.write(r.text + '\n');
  });

  it('runs at least 100 sessions on at least five programs', () => {
    expect(outcomes.length).toBeGreaterThanOrEqual(100);
    expect(new Set(outcomes.map((o) => o.session.program)).size).toBeGreaterThanOrEqual(5);
  });
  it('has no difference missing from differences.json', () => {
    expect(r.unlisted.map((o) => o.session.id)).toEqual([]);
  });
  it('lists no session that now agrees, nor one that does not exist', () => {
    expect(r.stale).toEqual([]);
    expect(r.unknownIds).toEqual([]);
  });
});
