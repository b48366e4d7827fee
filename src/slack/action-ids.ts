/** Every action_id and block_id Vigil uses, in one place, so listeners and builders agree. */
export const ActionId = {
  runbook: (index: number) => `vigil_runbook_${index}`,
  acknowledge: 'vigil_incident_ack',
  resolve: 'vigil_incident_resolve',
  /** The card's menu of feedback labels. */
  label: 'vigil_incident_label',
  remediate: (index: number) => `vigil_remediate_${index}`,
  approve: 'vigil_remediation_approve',
  reject: 'vigil_remediation_reject',
  rejectModal: 'vigil_remediation_reject_modal',
  rejectReason: 'vigil_remediation_reject_reason',
  /** Stops the running backtest; its value is the job id, checked against the running job. */
  backtestCancel: 'vigil_backtest_cancel',
  /** Removes a silence or maintenance from /vigil silences; its value is the silence id. */
  removeSilence: 'vigil_silence_remove',
} as const;

/** Matches every remediation button of a card, whatever its position. */
export const REMEDIATE_ACTION = /^vigil_remediate_\d+$/;

export const BlockId = {
  header: 'vigil_incident_header',
  summary: 'vigil_incident_summary',
  hypothesis: 'vigil_incident_hypothesis',
  evidence: 'vigil_incident_evidence',
  timeline: 'vigil_incident_timeline',
  runbooks: 'vigil_incident_runbooks',
  lifecycle: 'vigil_incident_lifecycle',
  notes: 'vigil_incident_notes',
  remediation: 'vigil_incident_remediation',
  feedback: 'vigil_incident_feedback',
  feedbackCounts: 'vigil_incident_feedback_counts',
  remediationState: 'vigil_incident_remediation_state',
  requestSummary: 'vigil_request_summary',
  requestPreview: 'vigil_request_preview',
  requestDecision: 'vigil_request_decision',
  requestState: 'vigil_request_state',
  rejectReason: 'vigil_reject_reason',
  footer: 'vigil_incident_footer',
  backtestProgress: 'vigil_backtest_progress',
  backtestActions: 'vigil_backtest_actions',
} as const;
