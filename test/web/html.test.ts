import { describe, expect, it } from 'vitest';
import { codeSpans, externalUrl, html, jsonScript, toHtmlString } from '../../src/web/html.js';

const render = (value: ReturnType<typeof html>) => toHtmlString(value);

describe('html templates', () => {
  it('escapes every interpolated string, in text and in attributes', () => {
    const name = `<script>alert("x")</script>&'`;
    expect(render(html`<p title="${name}">${name}</p>`)).toBe(
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;</p>',
    );
  });

  it('keeps markup made by html, escapes strings in lists, and leaves out null, undefined and false', () => {
    const items = ['<a>', 'b'].map((item) => html`<li>${item}</li>`);
    expect(render(html`<ul>${items}${null}${undefined}${false}${0}</ul>`)).toBe('<ul><li>&lt;a&gt;</li><li>b</li>0</ul>');
    expect(render(html`${['<b>', html`<i>`]}`)).toBe('&lt;b&gt;<i>');
  });

  it('does not take an object that merely looks like markup', () => {
    const forged = { html: '<script>' } as unknown as string;
    expect(render(html`${forged}`)).toBe('[object Object]');
  });

  it('shows backticked prose as code, escaped first', () => {
    expect(render(codeSpans('use `a<b>` or <i>'))).toBe('use <code>a&lt;b&gt;</code> or &lt;i&gt;');
  });

  it('allows only http(s) URLs as external links', () => {
    expect(externalUrl('https://example.org/a?b=1')).toBe('https://example.org/a?b=1');
    expect(externalUrl(' http://example.org ')).toBe('http://example.org/');
    for (const bad of ['javascript:alert(1)', 'JAVASCRIPT:alert(1)', 'data:text/html,<script>', 'vbscript:x', '//evil.example', 'not a url', '', null, undefined]) {
      expect(externalUrl(bad)).toBeNull();
    }
  });

  it('embeds JSON that no string inside can break out of', () => {
    const value = { name: '</script><script>alert(1)</script>', note: '<!-- \u2028' };
    const out = render(jsonScript('data', value));
    expect(out.match(/<\/script>/g)).toHaveLength(1);
    expect(out).not.toContain('<!--');
    const json = out.replace(/^<script type="application\/json" id="data">/, '').replace(/<\/script>$/, '');
    expect(JSON.parse(json)).toEqual(value);
  });
});
