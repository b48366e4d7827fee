/**
 * Why a request never got an answer, in words an operator can act on. fetch rejects with a bare
 * "fetch failed" and keeps the reason (ECONNREFUSED, UNABLE_TO_VERIFY_LEAF_SIGNATURE...) in `cause`.
 * Only codes and messages of the network layer: never the request, whose headers hold credentials.
 */
export function networkErrorReason(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    return code && !cause.message.includes(code) ? `${code} (${cause.message})` : cause.message;
  }
  return error instanceof Error ? error.message : String(error);
}
