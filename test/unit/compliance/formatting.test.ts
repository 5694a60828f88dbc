import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalJson } from '../../../src/compliance/canonical-json.ts';
import { csvCell } from '../../../src/compliance/csv-formatter.ts';
import { escapeHtml, html } from '../../../src/compliance/html.ts';

describe('export formatting', () => {
  it('canonical JSON sorts keys at every depth, prints bigints as strings and drops undefined members', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [{ z: 1, y: null }], c: 'x' }, u: undefined }), '{"a":{"c":"x","d":[{"y":null,"z":1}]},"b":1}');
    assert.equal(canonicalJson({ position: 12345678901234567890n }), '{"position":"12345678901234567890"}');
    assert.equal(canonicalJson('line\nbreak "quoted"'), '"line\\nbreak \\"quoted\\""');
  });

  it('CSV cells are quoted when they hold a comma, quote or line break, and never start a formula', () => {
    assert.equal(csvCell('plain'), 'plain');
    assert.equal(csvCell('a,b'), '"a,b"');
    assert.equal(csvCell('say "hi"'), '"say ""hi"""');
    assert.equal(csvCell('two\r\nlines'), '"two\r\nlines"');
    assert.equal(csvCell('=HYPERLINK("http://x")'), `"'=HYPERLINK(""http://x"")"`);
    assert.equal(csvCell('+1 555'), "'+1 555");
    assert.equal(csvCell('@sum'), "'@sum");
  });

  it('the html tag escapes every interpolated value, nested lists included, and trusts only its own output', () => {
    assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    const note = '<script>alert(1)</script>';
    const row = html`<td title="${note}">${note}</td>`;
    assert.equal(row.toString(), '<td title="&lt;script&gt;alert(1)&lt;/script&gt;">&lt;script&gt;alert(1)&lt;/script&gt;</td>');
    const list = html`<ul>${['<b>', '&'].map((x) => html`<li>${x}</li>`)}</ul>`;
    assert.equal(list.toString(), '<ul><li>&lt;b&gt;</li><li>&amp;</li></ul>');
    assert.equal(html`${null}${undefined}${false}${0}`.toString(), '0');
  });
});
