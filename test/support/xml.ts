// A strict little XML reader for the subset JUnit uses, shared by the JUnit tests of run and load: throws on unbalanced
// tags, bad entities, a raw '<' or '&'; attribute values and text come out decoded.
import assert from 'node:assert/strict';

export interface XmlElement { name: string; attrs: Record<string, string>; children: XmlElement[]; text: string }

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const decode = (text: string) => text.replace(/&(amp|lt|gt|quot|apos);/g, (_, name: string) => ENTITIES[name]!);

/** Parses the document (attribute values and text decoded), asserting it is well-formed. */
export function parseXml(xml: string): XmlElement {
  const decl = /^<\?xml version="1\.0" encoding="UTF-8"\?>\n/;
  assert.match(xml, decl, 'missing XML declaration');
  const body = xml.replace(decl, '');
  const root: XmlElement = { name: '#root', attrs: {}, children: [], text: '' };
  const stack = [root];
  const token = /<(\/?)([A-Za-z][\w-]*)((?:\s+[\w-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/gy;
  const checkText = (text: string) => {
    const stripped = text.replace(/&(amp|lt|gt|quot|apos);/g, '');
    assert.ok(!stripped.includes('&'), `unescaped & in ${JSON.stringify(text.slice(0, 80))}`);
    // eslint-disable-next-line no-control-regex
    assert.ok(!/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/.test(text), 'control character in XML');
  };
  let match: RegExpExecArray | null;
  let last = 0;
  while ((match = token.exec(body)) !== null) {
    last = token.lastIndex;
    const [, closing, name, attrText, selfClosing, text] = match;
    if (text !== undefined) {
      checkText(text);
      stack.at(-1)!.text += decode(text);
      continue;
    }
    if (closing) {
      const open = stack.pop()!;
      assert.equal(open.name, name, `</${name}> closes <${open.name}>`);
      continue;
    }
    const attrs: Record<string, string> = {};
    for (const [, key, value] of attrText!.matchAll(/([\w-]+)="([^"]*)"/g)) {
      checkText(value!);
      attrs[key!] = decode(value!);
    }
    const element: XmlElement = { name: name!, attrs, children: [], text: '' };
    stack.at(-1)!.children.push(element);
    if (!selfClosing) stack.push(element);
  }
  assert.equal(last, body.length, `unparseable XML at ${JSON.stringify(body.slice(last, last + 60))}`);
  assert.equal(stack.length, 1, `unclosed <${stack.at(-1)!.name}>`);
  assert.equal(root.children.length, 1, 'expected one root element');
  return root.children[0]!;
}

/** Every element of that name, in document order. */
export const allElements = (el: XmlElement, name: string): XmlElement[] => [...(el.name === name ? [el] : []), ...el.children.flatMap((c) => allElements(c, name))];
