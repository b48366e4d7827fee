import { randomBytes } from 'node:crypto';
import type { Logger } from '../logger.js';
import type { SilencesRepo } from '../storage/silences-repo.js';
import { type Silence, type SilenceChange, silenceTarget } from './silence.js';

export type RemoveOutcome = { ok: true; silence: Silence } | { ok: false; message: string };

/** Silences and maintenance declared from Slack: stored first, then told to detection at once. */
export interface SilenceBook {
  declare(input: Omit<Silence, 'id' | 'created_at'>): Silence;
  /** Anyone in the workspace may remove one (it only lets pages through again); who did is kept. */
  remove(id: string, user: string): RemoveOutcome;
}

export function createSilenceBook(deps: {
  repo: SilencesRepo;
  /** The detection side's ear (its thread, or in-process): applies the change from now on. */
  tell: (change: SilenceChange) => void;
  now: () => Date;
  logger: Logger;
  newId?: () => string;
}): SilenceBook {
  const newId = deps.newId ?? (() => `S-${randomBytes(3).toString('hex').toUpperCase()}`);
  return {
    declare(input) {
      const silence: Silence = { ...input, id: newId(), created_at: deps.now().toISOString() };
      // Stored before detection hears of it: a restart reads it back from here.
      deps.repo.add(silence);
      deps.tell({ op: 'add', silence });
      deps.logger.info(
        {
          silence_id: silence.id,
          kind: silence.kind,
          target: silenceTarget(silence),
          until: silence.ends_at,
          user: silence.created_by,
        },
        `${silence.kind} declared`,
      );
      return silence;
    },
    remove(id, user) {
      const found = deps.repo.get(id);
      // The id is shown back in mrkdwn: a pattern-checked one, or none at all.
      if (!found)
        return { ok: false, message: `No silence or maintenance ${/^S-[0-9A-F]{6}$/.test(id) ? id : 'with that id'}.` };
      if (found.removed_at)
        return { ok: false, message: `${id} was already removed by <@${found.removed_by}>; nothing changed.` };
      const now = deps.now();
      if (Date.parse(found.ends_at) <= now.getTime())
        return { ok: false, message: `${id} has already ended; nothing changed.` };
      if (!deps.repo.remove(id, user, now.toISOString()))
        return { ok: false, message: `${id} was removed meanwhile; nothing changed.` };
      deps.tell({ op: 'remove', id });
      deps.logger.info({ silence_id: id, user }, `${found.kind} removed`);
      const { removed_at: _at, removed_by: _by, ...silence } = found;
      return { ok: true, silence };
    },
  };
}
