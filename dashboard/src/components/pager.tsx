import { setQuery } from "../router";
import { Button } from "./ui";

/** Previous/next paging through `page` (1-based) in the query string. */
export function Pager(props: { page: number; pages: number }) {
  if (props.pages <= 1) return null;
  const previous = props.page - 1;
  return (
    <nav class="pager" aria-label="Pages">
      <span>
        Page {props.page} of {props.pages}
      </span>
      <span class="pager-buttons">
        <Button disabled={props.page <= 1} onClick={() => setQuery({ page: previous > 1 ? String(previous) : null })}>
          Previous page
        </Button>
        <Button disabled={props.page >= props.pages} onClick={() => setQuery({ page: String(props.page + 1) })}>
          Next page
        </Button>
      </span>
    </nav>
  );
}
