/** One page of an ElectroDB Query: its items and the cursor of the next page (null after the last). */
export type Page<T> = { data: T[]; cursor: string | null };

/**
 * Runs `query` page after page from the first, handing each non-empty page to `onPage` before the next is read
 * (one page in memory at a time); resolves to the number of pages read.
 */
export async function forEachPage<T>(
  query: (cursor: string | null) => Promise<Page<T>>,
  onPage: (items: T[]) => Promise<void>,
): Promise<number> {
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page: Page<T> = await query(cursor);
    pages += 1;
    if (page.data.length > 0) await onPage(page.data);
    cursor = page.cursor;
  } while (cursor !== null);
  return pages;
}
