/** Paging of a listed result (query_stations_info §3.1: PageNo, PageCount, ItemSize). Pure. */

export interface Page<T> {
  PageNo: number;
  PageCount: number;
  ItemSize: number;
  items: T[];
}

/** Page `pageNo` (1-based) of `all`; a page past the end is empty (PageCount says how many there are). */
export const paginate = <T>(all: readonly T[], pageNo: number, pageSize: number): Page<T> => ({
  PageNo: pageNo,
  PageCount: Math.ceil(all.length / pageSize),
  ItemSize: all.length,
  items: all.slice((pageNo - 1) * pageSize, pageNo * pageSize),
});
