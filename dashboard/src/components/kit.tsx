/**
 * Small building blocks of dash-pages' pages: data loading with loading/error states, a field with
 * its error, and confirmations. (dash-core's components/ui.tsx has the shared ones.)
 */
import type { ComponentChildren } from "preact";
import { useCallback, useEffect, useId, useRef, useState } from "preact/hooks";
import { ApiError } from "../api";

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

/** Text of an error as the operator should read it: the API's message(s), else the error's. */
export function errorText(error: unknown): string {
  if (error instanceof ApiError && error.errors.length) {
    return error.errors.map((e) => e.long_message || e.message).join(" ");
  }
  if (error instanceof ApiError) return `Request failed (HTTP ${error.status}).`;
  return error instanceof Error ? error.message : String(error);
}

export function Loading(props: { label?: string }) {
  return (
    <p class="loading" role="status" aria-live="polite">
      {props.label ?? "Loading…"}
    </p>
  );
}

export function ErrorMessage(props: { error: unknown }) {
  const codes = props.error instanceof ApiError ? props.error.errors.map((e) => e.code).join(", ") : "";
  return (
    <div class="error-message" role="alert">
      <p>{errorText(props.error)}</p>
      {codes && <p class="muted code">{codes}</p>}
    </div>
  );
}

/** A labelled control with its error text linked by aria-describedby. */
export function Field(props: {
  label: string;
  error?: string | null;
  hint?: string;
  children: (attrs: { id: string; "aria-describedby"?: string; "aria-invalid"?: "true" }) => ComponentChildren;
}) {
  const id = useId();
  const described = [props.hint ? `${id}-hint` : "", props.error ? `${id}-error` : ""].filter(Boolean).join(" ");
  return (
    <div class={props.error ? "field has-error" : "field"}>
      <label for={id}>{props.label}</label>
      {props.children({ id, "aria-describedby": described || undefined, "aria-invalid": props.error ? "true" : undefined })}
      {props.hint && (
        <p id={`${id}-hint`} class="muted hint">
          {props.hint}
        </p>
      )}
      {props.error && (
        <p id={`${id}-error`} class="field-error">
          {props.error}
        </p>
      )}
    </div>
  );
}

/**
 * A destructive button that asks once more in place: the first click shows "Confirm" and
 * "Cancel" (focus moves to Cancel, the safe choice); Escape or Cancel goes back.
 */
export function ConfirmButton(props: {
  /** The accessible name, e.g. "Revoke invitation for ada@example.com". */
  label: string;
  /** Shorter visible text (part of `label`, so speech users can say what they see), e.g. "Revoke". */
  text?: string;
  confirmLabel?: string;
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
      <button
        type="button"
        class="danger"
        disabled={props.disabled}
        aria-label={props.text ? props.label : undefined}
        onClick={() => setAsking(true)}
      >
        {props.text ?? props.label}
      </button>
    );
  }
  return (
    <fieldset class="confirm-inline" aria-label={props.label} onKeyDown={(e) => e.key === "Escape" && setAsking(false)}>
      <button
        type="button"
        class="danger"
        disabled={busy}
        aria-label={props.text ? `Confirm: ${props.label}` : undefined}
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
        {props.confirmLabel ?? (props.text ? `Confirm ${props.text.toLowerCase()}` : `Confirm: ${props.label}`)}
      </button>
      <button type="button" ref={cancelRef} class="secondary" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </fieldset>
  );
}

/**
 * Typed confirmation in a modal <dialog>: the confirm button is enabled only when the input
 * equals one of `accept` (e.g. the user's id or primary email address).
 */
export function TypedConfirm(props: {
  open: boolean;
  title: string;
  prompt: string;
  accept: string[];
  confirmLabel: string;
  onConfirm: () => Promise<void>;
  onClose: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const [text, setText] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const id = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (props.open && !dialog.open) {
      setText("");
      setError(null);
      dialog.showModal();
    } else if (!props.open && dialog.open) dialog.close();
  }, [props.open]);
  const matches = props.accept.some((a) => a && text.trim() === a);
  return (
    <dialog ref={ref} class="typed-confirm" aria-labelledby={`${id}-title`} onClose={props.onClose}>
      <form
        method="dialog"
        onSubmit={async (e) => {
          e.preventDefault();
          if (!matches) return;
          setBusy(true);
          setError(null);
          try {
            await props.onConfirm();
          } catch (err) {
            setError(err);
          } finally {
            setBusy(false);
          }
        }}
      >
        <h2 id={`${id}-title`}>{props.title}</h2>
        <label for={`${id}-input`}>{props.prompt}</label>
        <input
          id={`${id}-input`}
          autocomplete="off"
          spellcheck={false}
          value={text}
          onInput={(e) => setText((e.currentTarget as HTMLInputElement).value)}
        />
        {error !== null && <ErrorMessage error={error} />}
        <div class="actions">
          <button type="submit" class="danger" disabled={!matches || busy}>
            {props.confirmLabel}
          </button>
          <button type="button" class="secondary" onClick={() => props.onClose()}>
            Cancel
          </button>
        </div>
      </form>
    </dialog>
  );
}

export function formatTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "—";
  return new Date(ms).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
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
