export type ColumnAlign = 'left' | 'right';

/**
 * Lays rows out in columns as wide as their widest cell, two spaces apart, each line indented.
 * Text columns read best left-aligned and numbers right-aligned, so each column says which.
 */
export function formatTextTable(
  rows: ReadonlyArray<readonly string[]>,
  align: readonly ColumnAlign[],
  indent = '  ',
): string[] {
  const widths = align.map((_, c) => rows.reduce((widest, row) => Math.max(widest, (row[c] ?? '').length), 0));
  return rows.map(
    (row) =>
      indent +
      align
        .map((a, c) => {
          const cell = row[c] ?? '';
          const width = widths[c] as number;
          return a === 'left' ? cell.padEnd(width) : cell.padStart(width);
        })
        .join('  ')
        .trimEnd(),
  );
}
