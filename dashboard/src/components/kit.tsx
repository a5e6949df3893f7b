/**
 * Small building blocks of the pages, beside components/ui.tsx: data loading with its
 * loading/error states, forms that show API errors at the field they name, an in-place
 * confirmation for small deletes, and durations.
 */
import type { ComponentChildren } from "preact";
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { ApiError, type ClerkError } from "../api";
import { Link } from "../router";
import { Button, ConfirmDialog, ErrorMessage, Loading } from "./ui";

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
 * A page whose main object did not load: the way back, the error and "Retry".
 */
export function LoadFailed(props: { back: { href: string; label: string }; error: unknown; onRetry: () => void }) {
  return (
    <section class="page">
      <p class="breadcrumb">
        <Link href={props.back.href}>← {props.back.label}</Link>
      </p>
      <ErrorMessage error={props.error} />
      <Button onClick={props.onRetry}>Retry</Button>
    </section>
  );
}

/**
 * One section's loading, error and data states from a `useLoad`: the indicator while a request
 * is in flight (the last data stays shown beside it), the error with "Retry", then `children`
 * with the data.
 */
export function Loaded<T>(props: { load: Load<T>; label: string; children: (data: T) => ComponentChildren }) {
  const { load } = props;
  return (
    <>
      {load.loading && <Loading label={props.label} />}
      {load.error !== null && (
        <>
          <ErrorMessage error={load.error} />
          <Button onClick={load.reload}>Retry</Button>
        </>
      )}
      {load.data !== null && props.children(load.data)}
    </>
  );
}

/**
 * A list as a real table in a horizontal scroller (narrow screens scroll it, the page does not):
 * a header cell per `columns` entry, plus a visually hidden "Actions" one when `actions`, and a
 * row per item from `row`; `empty` is shown instead of a table without items.
 */
export function Table<T>(props: { columns: string[]; actions?: boolean; items: T[]; empty: string; row: (item: T) => ComponentChildren }) {
  if (props.items.length === 0) return <p class="muted">{props.empty}</p>;
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            {props.columns.map((column) => (
              <th key={column} scope="col">
                {column}
              </th>
            ))}
            {props.actions && (
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>{props.items.map(props.row)}</tbody>
      </table>
    </div>
  );
}

export type FormErrors = { field: Record<string, string>; top: unknown };
const NO_ERRORS: FormErrors = { field: {}, top: null };

/**
 * Splits an API error for a form: each Clerk error whose `meta.param_name` is one of `fields`
 * goes to that field (message and code, so the code is read out with the field), the rest stay
 * one error for the top of the form.
 */
export function formErrors(error: unknown, fields: readonly string[]): FormErrors {
  if (!(error instanceof ApiError) || error.errors.length === 0) return { field: {}, top: error };
  const field: Record<string, string> = {};
  const rest: ClerkError[] = [];
  for (const err of error.errors) {
    const param = err.meta?.param_name;
    const text = `${err.long_message || err.message} (${err.code})`;
    if (param && fields.includes(param)) field[param] = field[param] ? `${field[param]} ${text}` : text;
    else rest.push(err);
  }
  return { field, top: rest.length ? new ApiError(error.status, rest) : null };
}

/**
 * A form's submit state: `submit(call)` runs the request once at a time (busy), and a refusal
 * lands in `errors` split by `formErrors`; it resolves with the answer, or undefined on error.
 */
export function useSubmit(fields: readonly string[]) {
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  async function submit<T>(call: () => Promise<T>): Promise<T | undefined> {
    setBusy(true);
    setErrors(NO_ERRORS);
    try {
      return await call();
    } catch (error) {
      setErrors(formErrors(error, fields));
      return undefined;
    } finally {
      setBusy(false);
    }
  }
  /** Forgets one field's error (e.g. when the user edits that field). */
  const clear = (name: string) => setErrors((e) => (e.field[name] ? { ...e, field: { ...e.field, [name]: "" } } : e));
  return { busy, errors, submit, clear };
}

/**
 * A permanent delete behind a typed confirmation: the button (`label`, e.g. "Delete user") opens
 * a ConfirmDialog whose action is enabled once `confirmText` is typed; `onDelete` runs there, and
 * its error stays in the dialog. After a delete the dialog closes and `onDone` runs (e.g. going
 * to the list).
 */
export function DeleteButton(props: {
  label: string;
  title: string;
  message: ComponentChildren;
  confirmText: string;
  actionLabel: string;
  disabled?: boolean;
  onDelete: () => Promise<unknown>;
  onDone: () => void;
}) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  return (
    <>
      <Button
        variant="danger"
        disabled={props.disabled}
        onClick={() => {
          setError(null);
          setOpen(true);
        }}
      >
        {props.label}
      </Button>
      <ConfirmDialog
        open={open}
        title={props.title}
        message={props.message}
        confirmText={props.confirmText}
        actionLabel={props.actionLabel}
        busy={busy}
        error={error}
        onCancel={() => setOpen(false)}
        onConfirm={async () => {
          setBusy(true);
          setError(null);
          try {
            await props.onDelete();
          } catch (caught) {
            setError(caught);
            return;
          } finally {
            setBusy(false);
          }
          setOpen(false);
          props.onDone();
        }}
      />
    </>
  );
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
  const startRef = useRef<HTMLButtonElement>(null);
  const asked = useRef(false);
  // Keyboard users keep their place: into Cancel when asked, back to the button after (unless
  // the action removed it, e.g. the row it was in).
  useEffect(() => {
    if (asking) cancelRef.current?.focus();
    else if (asked.current) startRef.current?.focus();
    asked.current = asking;
  }, [asking]);
  if (!asking) {
    return (
      <Button ref={startRef} disabled={props.disabled} aria-label={props.text ? props.label : undefined} onClick={() => setAsking(true)}>
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
