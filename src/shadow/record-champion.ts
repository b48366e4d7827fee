import { championName, type DetectionConfig } from '../config/config-schema.js';
import type { ChampionChange, ShadowRepo } from '../storage/shadow-repo.js';

/** The settings a champion runs with: its detection block without its name and challenger. */
function settingsOf(detection: DetectionConfig): Record<string, unknown> {
  const { name: _name, shadow: _shadow, ...settings } = detection;
  return settings;
}

/** setting → [old, new] for every setting whose value differs. */
function diffOf(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, [unknown, unknown]> {
  const diff: Record<string, [unknown, unknown]> = {};
  for (const key of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key]))
      diff[key] = [before[key] ?? null, after[key] ?? null];
  }
  return diff;
}

/**
 * At start-up: remembers the configured challenger, and records the champion when its name differs
 * from the last one recorded (the first start records the first champion). Promoting a challenger
 * is a config change: its overrides move into `detection` and `detection.name` becomes its name.
 * A restart with the same champion records nothing. Returns the change recorded, if any.
 */
export function recordChampion(repo: ShadowRepo, detection: DetectionConfig, now: Date): ChampionChange | null {
  const at = now.toISOString();
  const name = championName(detection);
  const settings = settingsOf(detection);
  const last = repo.currentChampion();
  let change: ChampionChange | null = null;
  if (last?.to_name !== name) {
    change = {
      at,
      from_name: last?.to_name ?? null,
      to_name: name,
      settings,
      diff: last ? diffOf(last.settings, settings) : {},
      was_challenger: repo.wasChallenger(name),
    };
    repo.recordChampion(change);
  }
  if (detection.shadow) {
    const { name: challenger, ...overrides } = detection.shadow;
    repo.seeChallenger(challenger, overrides, at);
  }
  return change;
}
