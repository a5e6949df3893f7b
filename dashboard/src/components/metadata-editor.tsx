/**
 * Public/private(/unsafe) metadata of a user or an organization, edited as JSON and saved through
 * the merge route with the patch computed by `mergePatch` (see metadata-patch.ts for why a
 * removed key is sent as null).
 */
import { useEffect, useState } from "preact/hooks";
import { Button, ErrorMessage } from "./ui";
import { JsonEditor, jsonText, parseJsonObject } from "./json-editor";
import { type JsonObject, mergePatch, nullsLostByMerge } from "./metadata-patch";

export type MetadataKind = "public_metadata" | "private_metadata" | "unsafe_metadata";
export type MetadataValues = Partial<Record<MetadataKind, JsonObject>>;

const LABELS: Record<MetadataKind, string> = {
  public_metadata: "Public metadata",
  private_metadata: "Private metadata",
  unsafe_metadata: "Unsafe metadata",
};

export function MetadataEditor(props: {
  kinds: MetadataKind[];
  /** The values as the API last answered them. */
  values: MetadataValues;
  /** Sends the merge body (only the kinds that changed); resolves with the API's new values. */
  onSave: (patch: MetadataValues) => Promise<MetadataValues>;
}) {
  const [loaded, setLoaded] = useState<MetadataValues>(props.values);
  const [texts, setTexts] = useState<Record<string, string>>(() => textsOf(props.kinds, props.values));
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);

  // A fresh load from the page (e.g. after another action) resets the editors.
  useEffect(() => {
    setLoaded(props.values);
    setTexts(textsOf(props.kinds, props.values));
  }, [props.values]);

  const parsed = Object.fromEntries(props.kinds.map((k) => [k, parseJsonObject(texts[k] ?? "{}")]));
  const fieldError = (kind: MetadataKind): string | null => {
    const p = parsed[kind];
    if (!p.ok) return p.error;
    const lost = nullsLostByMerge(loaded[kind] ?? {}, p.value);
    return lost.length ? `null cannot be saved (the merge route reads null as "remove"); remove the key instead: ${lost.join(", ")}` : null;
  };
  const invalid = props.kinds.some((k) => fieldError(k) !== null);
  const patch: MetadataValues = {};
  if (!invalid) {
    for (const kind of props.kinds) {
      const p = parsed[kind];
      if (!p.ok) continue;
      const diff = mergePatch(loaded[kind] ?? {}, p.value);
      if (Object.keys(diff).length) patch[kind] = diff;
    }
  }
  const changed = Object.keys(patch).length > 0;

  async function save(e: Event) {
    e.preventDefault();
    if (invalid || !changed) return;
    setSaving(true);
    setError(null);
    setSaved(false);
    try {
      const next = await props.onSave(patch);
      setLoaded(next);
      setTexts(textsOf(props.kinds, next));
      setSaved(true);
    } catch (err) {
      setError(err);
    } finally {
      setSaving(false);
    }
  }

  return (
    <form class="metadata-editor" onSubmit={save} aria-label="Metadata">
      {error !== null && <ErrorMessage error={error} />}
      <div class="metadata-grid">
        {props.kinds.map((kind) => (
          <JsonEditor
            key={kind}
            label={LABELS[kind]}
            value={texts[kind] ?? "{}"}
            error={fieldError(kind)}
            disabled={saving}
            onInput={(text) => {
              setSaved(false);
              setTexts({ ...texts, [kind]: text });
            }}
          />
        ))}
      </div>
      <div class="actions">
        <Button variant="primary" type="submit" disabled={invalid || !changed || saving} aria-busy={saving ? "true" : undefined}>
          Save metadata
        </Button>
        <Button disabled={!changed || saving} onClick={() => setTexts(textsOf(props.kinds, loaded))}>
          Discard changes
        </Button>
        <span role="status" class="muted">
          {saved ? "Saved." : invalid ? "Fix the JSON to save." : ""}
        </span>
      </div>
    </form>
  );
}

function textsOf(kinds: MetadataKind[], values: MetadataValues): Record<string, string> {
  return Object.fromEntries(kinds.map((k) => [k, jsonText(values[k] ?? {})]));
}
