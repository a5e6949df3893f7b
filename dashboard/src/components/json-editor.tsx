/**
 * A JSON object editor: a textarea whose text is parsed as the operator types. The parse result
 * (or the reason it is not a JSON object) is shown under the field, linked by aria-describedby,
 * so the page can refuse to save invalid text.
 */
import { useId } from "preact/hooks";
import { isJsonObject, type JsonObject } from "./metadata-patch";
import "./json-editor.css";

export type Parsed = { ok: true; value: JsonObject } | { ok: false; error: string };

/** Parses editor text: it must be one JSON object (metadata is always an object). */
export function parseJsonObject(text: string): Parsed {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `Invalid JSON: ${(error as Error).message}` };
  }
  if (!isJsonObject(value)) return { ok: false, error: "Must be a JSON object, e.g. {}" };
  return { ok: true, value };
}

/** Pretty text of a value, as the editor shows it. */
export function jsonText(value: unknown): string {
  return JSON.stringify(value ?? {}, null, 2);
}

export function JsonEditor(props: { label: string; value: string; onInput: (text: string) => void; error?: string | null; disabled?: boolean }) {
  const id = useId();
  const errorId = `${id}-error`;
  return (
    <div class={props.error ? "field json-editor field-invalid" : "field json-editor"}>
      <label for={id}>{props.label}</label>
      <textarea
        id={id}
        spellcheck={false}
        autocomplete="off"
        rows={Math.min(14, Math.max(3, props.value.split("\n").length))}
        value={props.value}
        disabled={props.disabled}
        aria-invalid={props.error ? "true" : undefined}
        aria-describedby={props.error ? errorId : undefined}
        onInput={(e) => props.onInput((e.currentTarget as HTMLTextAreaElement).value)}
      />
      {props.error && (
        <p id={errorId} class="field-error" role="alert">
          {props.error}
        </p>
      )}
    </div>
  );
}
