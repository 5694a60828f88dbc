import type { AuditFact } from '../projections/audit-timeline/audit-fold.ts';
import { canonicalJson } from './canonical-json.ts';
import type { ExportContext, ExportFormatter } from './export-formatter.ts';
import { html, type SafeHtml } from './html.ts';

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #222; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 2em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 4px 8px; border-bottom: 1px solid #eee; }
th { background: #f4f4f4; } td.details { font-family: ui-monospace, monospace; font-size: 12px; white-space: pre-wrap; word-break: break-word; }
dl.filter { display: grid; grid-template-columns: max-content auto; gap: 2px 12px; } dl.filter dt { font-weight: 600; }
.workload { font-variant: small-caps; }`;

interface Row {
  readonly cells: SafeHtml;
  readonly details: SafeHtml;
}

/** `key: value` lines; strings as they are, everything else as canonical JSON. */
function details(fact: AuditFact): SafeHtml {
  const { event } = fact;
  const fields: [string, unknown][] = Object.entries(fact.summary ?? (event.data as Record<string, unknown>));
  // The audit summary never holds IM content; a compliance report shows what the archive kept.
  if (event.type === 'im.message_sent.v1' && event.data.body !== null) fields.push(['body', event.data.body]);
  const lines = fields
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : canonicalJson(v)}`);
  return html`${lines.join('\n')}`;
}

/**
 * A self-contained report (inline CSS, no scripts, no external resources):
 * the filter, then one section per user with that user's events in log
 * order. Every value goes through the escaping `html` tag. Sections need the
 * whole log read, so the report is assembled in `finish` (memory grows with
 * the matching events; JSONL and CSV stream).
 */
export class HtmlFormatter implements ExportFormatter {
  readonly contentType = 'text/html; charset=utf-8';
  readonly #context: ExportContext;
  readonly #byUser = new Map<string, { row: Row; roles: readonly string[] }[]>();
  readonly #noUser: Row[] = [];
  #events = 0;

  constructor(context: ExportContext) {
    this.#context = context;
    for (const user of context.filter.users) this.#byUser.set(user, []);
  }

  start(): string {
    return '';
  }

  add(fact: AuditFact, users: readonly string[]): string {
    this.#events++;
    const { event } = fact;
    const row: Row = {
      cells: html`<td>${new Date(event.metadata.occurredAt).toISOString()}</td><td>${event.globalPosition.toString()}</td><td class="workload">${fact.workload}</td><td>${event.type}</td>`,
      details: details(fact),
    };
    if (users.length === 0) this.#noUser.push(row);
    for (const user of users) {
      let rows = this.#byUser.get(user);
      if (!rows) this.#byUser.set(user, (rows = []));
      rows.push({ row, roles: fact.parties.get(user) ?? [] });
    }
    return '';
  }

  finish(): string {
    const { filter, upTo } = this.#context;
    const users = [...this.#byUser.keys()].sort();
    const anchor = (i: number): string => `user-${i + 1}`;
    const head = html`<tr><th>Occurred (UTC)</th><th>Position</th><th>Workload</th><th>Event</th><th>Role</th><th>Details</th></tr>`;
    const sections = users.map((user, i) => {
      const rows = this.#byUser.get(user)!;
      return html`<section id="${anchor(i)}"><h2>${user}</h2><p>${rows.length} events</p>
<table><thead>${head}</thead><tbody>
${rows.map(({ row, roles }) => html`<tr>${row.cells}<td>${roles.join(', ')}</td><td class="details">${row.details}</td></tr>\n`)}</tbody></table></section>
`;
    });
    const others =
      this.#noUser.length === 0
        ? null
        : html`<section id="no-user"><h2>Events concerning no user</h2><p>${this.#noUser.length} events</p>
<table><thead>${head}</thead><tbody>
${this.#noUser.map((row) => html`<tr>${row.cells}<td></td><td class="details">${row.details}</td></tr>\n`)}</tbody></table></section>
`;
    return html`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Chorus compliance export</title><style>${STYLE}</style></head>
<body><h1>Chorus compliance export</h1>
<dl class="filter"><dt>Users</dt><dd>${filter.users.length === 0 ? 'everyone' : filter.users.join(', ')}</dd>
<dt>Occurred from</dt><dd>${filter.from ?? 'the beginning'}</dd><dt>Occurred before</dt><dd>${filter.to ?? 'the end'}</dd>
<dt>Workloads</dt><dd>${filter.workloads.join(', ')}</dd><dt>Log read up to position</dt><dd>${upTo.toString()}</dd>
<dt>Matching events</dt><dd>${this.#events}</dd></dl>
<nav><ul>${users.map((user, i) => html`<li><a href="#${anchor(i)}">${user}</a></li>`)}</ul></nav>
${sections}${others}</body></html>
`.toString();
  }
}
