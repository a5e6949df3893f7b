import { setQuery } from "../router";
import { Button } from "./ui";

/** The 1-based page number in the query string's `key` (default `page`); 1 when absent or unreadable. */
export function pageOf(query: URLSearchParams, key = "page"): number {
  const page = Number(query.get(key));
  return Number.isSafeInteger(page) && page > 1 ? page : 1;
}

/** How many pages of `size` hold `total` items (at least one, the empty page). */
export function pageCount(total: number, size: number): number {
  return Math.max(1, Math.ceil(total / size));
}

/**
 * Previous/next paging through `param` (default `page`; 1-based) in the query string, for `total`
 * items `size` a page. `of` names what is paged when a page has more than one pager, so each
 * control's name stays unique.
 */
export function Pager(props: { page: number; total: number; size: number; param?: string; of?: string }) {
  const pages = pageCount(props.total, props.size);
  if (pages <= 1) return null;
  const param = props.param ?? "page";
  const suffix = props.of ? ` of ${props.of}` : "";
  const previous = props.page - 1;
  return (
    <nav class="pager" aria-label={`Pages${suffix}`}>
      <span>
        Page {props.page} of {pages}
      </span>
      <span class="pager-buttons">
        <Button disabled={props.page <= 1} onClick={() => setQuery({ [param]: previous > 1 ? String(previous) : null })}>
          Previous page{suffix}
        </Button>
        <Button disabled={props.page >= pages} onClick={() => setQuery({ [param]: String(props.page + 1) })}>
          Next page{suffix}
        </Button>
      </span>
    </nav>
  );
}
