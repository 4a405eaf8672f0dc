/** How many items an error message names before "and N more". */
const LISTED = 5;

/** `a, b, c, d, e and 3 more` for a long list (items already formatted). */
export function formatNameList(items: readonly string[]): string {
  const more = items.length > LISTED ? ` and ${items.length - LISTED} more` : '';
  return items.slice(0, LISTED).join(', ') + more;
}
