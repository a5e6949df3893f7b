import { setQuery } from "../router";
import { Button } from "./ui";

/**
 * Previous/next paging through `param` (default `page`; 1-based) in the query string. `of` names
 * what is paged when a page has more than one pager, so each control's name stays unique.
 */
export function Pager(props: { page: number; pages: number; param?: string; of?: string }) {
  if (props.pages <= 1) return null;
  const param = props.param ?? "page";
  const suffix = props.of ? ` of ${props.of}` : "";
  const previous = props.page - 1;
  return (
    <nav class="pager" aria-label={`Pages${suffix}`}>
      <span>
        Page {props.page} of {props.pages}
      </span>
      <span class="pager-buttons">
        <Button disabled={props.page <= 1} onClick={() => setQuery({ [param]: previous > 1 ? String(previous) : null })}>
          Previous page{suffix}
        </Button>
        <Button disabled={props.page >= props.pages} onClick={() => setQuery({ [param]: String(props.page + 1) })}>
          Next page{suffix}
        </Button>
      </span>
    </nav>
  );
}
