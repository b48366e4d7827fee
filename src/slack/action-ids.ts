/** Every action_id and block_id Vigil uses, in one place, so listeners and builders agree. */
export const ActionId = {
  runbook: (index: number) => `vigil_runbook_${index}`,
  acknowledge: 'vigil_incident_ack',
  resolve: 'vigil_incident_resolve',
} as const;

export const BlockId = {
  header: 'vigil_incident_header',
  summary: 'vigil_incident_summary',
  hypothesis: 'vigil_incident_hypothesis',
  evidence: 'vigil_incident_evidence',
  runbooks: 'vigil_incident_runbooks',
  lifecycle: 'vigil_incident_lifecycle',
  notes: 'vigil_incident_notes',
  footer: 'vigil_incident_footer',
} as const;

/** Reaction names Slack sends for 👍 and 👎 (both the canonical and the alias names). */
export const FEEDBACK_REACTIONS: Readonly<Record<string, 'useful' | 'noisy'>> = {
  '+1': 'useful',
  thumbsup: 'useful',
  '-1': 'noisy',
  thumbsdown: 'noisy',
};
