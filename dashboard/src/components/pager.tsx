import { setQuery } from "../router";

/** Previous/next paging through `page` in the query string. */
export function Pager(props: { page: number; pages: number }) {
  if (props.pages <= 1) return null;
  return (
    <nav class="pager" aria-label="Pages">
      <button type="button" disabled={props.page <= 1} onClick={() => setQuery({ page: props.page - 1 > 1 ? String(props.page - 1) : null })}>
        Previous page
      </button>
      <span>
        Page {props.page} of {props.pages}
      </span>
      <button type="button" disabled={props.page >= props.pages} onClick={() => setQuery({ page: String(props.page + 1) })}>
        Next page
      </button>
    </nav>
  );
}
