/**
 * Shared building blocks. Every control gets an accessible name (a visible label or aria-label)
 * because screen readers and the browser tests find controls by role and name (issue 17 §1).
 */
import { type ButtonHTMLAttributes, type ComponentChildren, cloneElement, isValidElement, type VNode } from "preact";
import { useEffect, useId, useRef, useState } from "preact/hooks";
import { ApiError } from "../api";

type ButtonProps = Omit<ButtonHTMLAttributes<HTMLButtonElement>, "type"> & {
  variant?: "primary" | "danger" | "plain";
  busy?: boolean;
  type?: "button" | "submit" | "reset";
  disabled?: boolean;
};

/** A button; `busy` disables it and says so to assistive technology. */
export function Button({ variant = "plain", busy, disabled, type = "button", class: className, children, ...rest }: ButtonProps) {
  return (
    <button
      {...rest}
      type={type}
      class={`btn btn-${variant}${className ? ` ${className}` : ""}`}
      disabled={disabled || busy}
      aria-busy={busy || undefined}
    >
      {children}
    </button>
  );
}

/**
 * A labelled form control. The single child (input, select, textarea) gets the label's id, and
 * the error text is linked with aria-describedby and aria-invalid, so the message is announced
 * with the field it belongs to.
 */
export function Field(props: { label: string; error?: string; hint?: string; children: ComponentChildren }) {
  const id = useId();
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const describedBy = [props.hint ? hintId : "", props.error ? errorId : ""].filter(Boolean).join(" ") || undefined;
  const child = isValidElement(props.children)
    ? cloneElement(props.children as VNode<Record<string, unknown>>, {
        id,
        "aria-describedby": describedBy,
        "aria-invalid": props.error ? "true" : undefined,
      })
    : props.children;
  return (
    <div class={`field${props.error ? " field-invalid" : ""}`}>
      <label for={id}>{props.label}</label>
      {child}
      {props.hint && (
        <p class="field-hint" id={hintId}>
          {props.hint}
        </p>
      )}
      {props.error && (
        <p class="field-error" id={errorId}>
          {props.error}
        </p>
      )}
    </div>
  );
}

/** A short status label (banned, locked, verified…). */
export function Badge(props: { tone?: "neutral" | "danger" | "warning" | "success"; children: ComponentChildren; title?: string }) {
  return (
    <span class={`badge badge-${props.tone ?? "neutral"}`} title={props.title}>
      {props.children}
    </span>
  );
}

/** A loading indicator announced politely to screen readers. */
export function Loading(props: { label?: string }) {
  return (
    <p class="loading" role="status" aria-live="polite">
      <span class="spinner" aria-hidden="true" />
      {props.label ?? "Loading…"}
    </p>
  );
}

/** The human text of an error: a Clerk error's long message, or a generic one. */
export function errorText(error: unknown): string {
  if (error instanceof ApiError) {
    const first = error.errors[0];
    return first?.long_message ?? first?.message ?? error.message;
  }
  if (error instanceof Error) return error.message;
  return "Something went wrong.";
}

/** An error box (role=alert); renders nothing for no error. */
export function ErrorMessage(props: { error: unknown }) {
  if (props.error === null || props.error === undefined) return null;
  const code = props.error instanceof ApiError ? props.error.errors[0]?.code : undefined;
  return (
    <div class="error-message" role="alert">
      <p>{errorText(props.error)}</p>
      {code && <p class="error-code">{code}</p>}
    </div>
  );
}

/**
 * A typed confirmation in a modal <dialog>: the action button is enabled only once the input
 * equals `confirmText` exactly (e.g. the user's id before "Delete user").
 */
export function ConfirmDialog(props: {
  open: boolean;
  title: string;
  message: ComponentChildren;
  confirmText: string;
  actionLabel: string;
  busy?: boolean;
  error?: unknown;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const [typed, setTyped] = useState("");
  const inputId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (props.open && !dialog.open) {
      setTyped("");
      dialog.showModal();
    } else if (!props.open && dialog.open) dialog.close();
  }, [props.open]);
  return (
    <dialog
      ref={ref}
      class="confirm-dialog"
      aria-labelledby={`${inputId}-title`}
      onCancel={(event) => {
        event.preventDefault();
        props.onCancel();
      }}
    >
      <form
        method="dialog"
        onSubmit={(event) => {
          event.preventDefault();
          if (typed === props.confirmText) props.onConfirm();
        }}
      >
        <h2 id={`${inputId}-title`}>{props.title}</h2>
        <div class="confirm-message">{props.message}</div>
        <label for={inputId}>
          Type <code>{props.confirmText}</code> to confirm
        </label>
        <input id={inputId} value={typed} autocomplete="off" spellcheck={false} onInput={(e) => setTyped(e.currentTarget.value)} />
        <ErrorMessage error={props.error} />
        <div class="dialog-actions">
          <Button onClick={props.onCancel}>Cancel</Button>
          <Button type="submit" variant="danger" busy={props.busy} disabled={typed !== props.confirmText}>
            {props.actionLabel}
          </Button>
        </div>
      </form>
    </dialog>
  );
}

/** Formats epoch milliseconds as a short local date and time ("—" for none). */
export function formatDate(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "—";
  return new Date(ms).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}
