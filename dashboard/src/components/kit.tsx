/**
 * Small building blocks of dash-pages' pages, beside dash-core's components/ui.tsx: data loading
 * with loading/error state, an in-place confirmation for small deletes, durations and paging.
 */
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { Button } from "./ui";

export type Load<T> = { data: T | null; error: unknown; loading: boolean; reload: () => void; setData: (value: T) => void };

/** Runs `fetcher` when `deps` change (and on reload); the newest call wins. */
export function useLoad<T>(fetcher: () => Promise<T>, deps: unknown[]): Load<T> {
  const [state, setState] = useState<{ data: T | null; error: unknown; loading: boolean }>({ data: null, error: null, loading: true });
  const [tick, setTick] = useState(0);
  const seq = useRef(0);
  useEffect(() => {
    const mine = ++seq.current;
    setState((s) => ({ ...s, loading: true, error: null }));
    fetcher().then(
      (data) => mine === seq.current && setState({ data, error: null, loading: false }),
      (error) => mine === seq.current && setState({ data: null, error, loading: false }),
    );
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  const setData = useCallback((data: T) => setState({ data, error: null, loading: false }), []);
  return { ...state, reload, setData };
}

/**
 * A destructive button that asks once more in place: the first click shows "Confirm …" and
 * "Cancel" (focus moves to Cancel, the safe choice); Escape or Cancel goes back.
 */
export function ConfirmButton(props: {
  /** The accessible name, e.g. "Revoke invitation for ada@example.com". */
  label: string;
  /** Shorter visible text (part of `label`, so speech users can say what they see), e.g. "Revoke". */
  text?: string;
  onConfirm: () => Promise<unknown>;
  disabled?: boolean;
}) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const cancelRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (asking) cancelRef.current?.focus();
  }, [asking]);
  if (!asking) {
    return (
      <Button disabled={props.disabled} aria-label={props.text ? props.label : undefined} onClick={() => setAsking(true)}>
        {props.text ?? props.label}
      </Button>
    );
  }
  return (
    <fieldset class="confirm-inline" aria-label={props.label} onKeyDown={(e) => e.key === "Escape" && setAsking(false)}>
      <Button
        variant="danger"
        busy={busy}
        aria-label={`Confirm: ${props.label}`}
        onClick={async () => {
          setBusy(true);
          try {
            await props.onConfirm();
          } finally {
            setBusy(false);
            setAsking(false);
          }
        }}
      >
        {props.text ? `Confirm ${props.text.toLowerCase()}` : `Confirm: ${props.label}`}
      </Button>
      <button type="button" ref={cancelRef} class="btn btn-plain" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </fieldset>
  );
}

/** "12 min", "2 h 5 min", "45 s": a short duration for lockout expiries. */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
}

/** Query-string paging: `page` (1-based) in the URL. */
export function pageOf(query: URLSearchParams): number {
  const page = Number.parseInt(query.get("page") ?? "1", 10);
  return Number.isFinite(page) && page >= 1 ? page : 1;
}
