/** A problem of the configuration that no single field's schema sees, with the path of the field to fix. */
export interface CrossReferenceIssue {
  path: Array<string | number>;
  message: string;
}
