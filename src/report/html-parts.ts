// The small pieces every HTML page of execbench is built from: escaping, fragment ids, badges, identifiers.
/** Escapes text for HTML element content and double-quoted attributes. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const h = escapeHtml;

/** A safe fragment id from any string. */
export function anchor(prefix: string, id: string): string {
  return `${prefix}-${id.toLowerCase().replace(/[^a-z0-9_-]+/g, '-')}`;
}

export function badge(status: string, text = status, title = ''): string {
  return `<span class="badge ${h(status)}"${title ? ` title="${h(title)}"` : ''}>${h(text)}</span>`;
}

/** An identifier that may wrap after its underscores, never inside a word. */
export function ident(name: string, cls = ''): string {
  return `<code class="ident${cls ? ` ${cls}` : ''}">${h(name).replace(/_/g, '_<wbr>')}</code>`;
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
