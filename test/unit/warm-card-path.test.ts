import { describe, expect, it } from 'vitest';
import { warmCardPath } from '../../src/pipeline/warm-card-path.js';
import type { Runbook } from '../../src/slack/blocks/build-incident-card.js';
import { loggerInto } from '../helpers/logger-into.js';

describe('warming the card path at start-up', () => {
  it('publishes and edits a sample card through the real path, and says nothing about it', async () => {
    const lines: string[] = [];
    const asked: string[] = [];
    await warmCardPath(
      {
        runbooksOf: (service): Omit<Runbook, 'service'>[] => {
          asked.push(service);
          return [{ title: 'Restart', url: 'https://runbooks.example/restart' }];
        },
        units: new Map(),
        logger: loggerInto(lines, 'debug'),
      },
      new Date('2026-12-02T03:00:00Z'),
    );
    // The card was built (its runbooks read for the sample's services), twice: posted, then edited
    // once a third service joined.
    expect(asked).toContain('checkout');
    expect(asked).toContain('frontend');
    // "incident card posted" about a sample would send someone looking for it in Slack.
    expect(lines).toEqual([]);
  });

  it('fails loudly when the sample card cannot be built, rather than warming nothing', async () => {
    await expect(
      warmCardPath(
        {
          runbooksOf: () => {
            throw new Error('runbooks unreadable');
          },
          units: new Map(),
          logger: loggerInto([]),
        },
        new Date('2026-12-02T03:00:00Z'),
      ),
    ).rejects.toThrow(/runbooks unreadable/);
  });
});
