/**
 * Putting text into the report's HTML safely, by construction: the `html` template escapes
 * every interpolated value unless it is a `Markup` made here; data goes into the page as JSON
 * in a non-executed `<script type="application/json">` block, with every `<`, `>` and `&` (so
 * `</script>` and `<!--` can never appear) and U+2028/U+2029 written as `\u` escapes. The
 * inline scripts and the stylesheet are allowed by their SHA-256 hash in a strict
 * Content-Security-Policy: no `unsafe-inline`, no `unsafe-eval`.
 * @see https://html.spec.whatwg.org/multipage/scripting.html#restrictions-for-contents-of-script-elements
 * @see https://www.w3.org/TR/CSP3/#grammardef-hash-source
 */
import { createHash } from "node:crypto";

/** Markup that is safe to place as-is: only `html` and `Markup.trusted` (for our own constants) make it. */
export class Markup {
  private constructor(readonly text: string) {}
  /** For markup written in this module's callers' source code, never for record data. */
  static trusted(text: string): Markup {
    return new Markup(text);
  }
  toString(): string {
    return this.text;
  }
}

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Text as HTML text or a quoted attribute value. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/** A template whose interpolations are escaped, except `Markup` (and arrays of it). */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Markup {
  let out = strings[0] ?? "";
  values.forEach((value, i) => {
    out += part(value) + (strings[i + 1] ?? "");
  });
  return Markup.trusted(out);
}

function part(value: unknown): string {
  if (value instanceof Markup) return value.text;
  if (Array.isArray(value)) return value.map(part).join("");
  if (value === null || value === undefined) return "";
  return escapeHtml(String(value));
}

/**
 * JSON for the text of a `<script type="application/json">` element: no `<`, `>` or `&`
 * survive (they become `\u003c`…), nor U+2028/U+2029; `JSON.parse` of the text gives the value back.
 */
export function jsonForScript(value: unknown): string {
  const json = JSON.stringify(value) ?? "null";
  return json.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** A CSP hash source (`'sha256-…'`) for the exact text of an inline script or style element. */
export function cspHash(text: string): string {
  return `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;
}

/**
 * The report's policy: nothing loads from anywhere (`default-src 'none'`), only the given
 * inline scripts and styles run (by hash), no base URL or form target can be set.
 */
export function contentSecurityPolicy(scripts: readonly string[], styles: readonly string[]): string {
  return [
    "default-src 'none'",
    `script-src ${scripts.map(cspHash).join(" ")}`,
    `style-src ${styles.map(cspHash).join(" ")}`,
    "img-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join("; ");
}

/**
 * Text for inside an inline `<script>` element, as markup: refused when it could end the
 * element early or open a comment that changes how the parser reads it.
 */
export function inlineScript(text: string, what: string): Markup {
  if (/<\/script|<!--/i.test(text)) throw new ReportMarkupError(`${what} holds "</script" or "<!--"`);
  return Markup.trusted(text);
}

/** Text for inside an inline `<style>` element, as markup (refused if it could end the element). */
export function inlineStyle(text: string, what: string): Markup {
  if (/<\/style/i.test(text)) throw new ReportMarkupError(`${what} holds "</style"`);
  return Markup.trusted(text);
}

/** Data for a `<script type="application/json">` element, as markup (see `jsonForScript`). */
export function jsonBlock(value: unknown): Markup {
  return Markup.trusted(jsonForScript(value));
}

/** Text that cannot be placed in the report safely. */
export class ReportMarkupError extends Error {
  override name = "ReportMarkupError";
}
