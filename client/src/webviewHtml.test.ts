/** The impact graph page: a strict Content Security Policy, the nonce on our script and styles, nothing injectable. */
import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, escapeHtml, impactGraphHtml, makeNonce } from './webviewHtml';

const CSP_SOURCE = 'https://file+.vscode-resource.vscode-cdn.net';

describe('impactGraphHtml', () => {
  const nonce = makeNonce();
  const html = impactGraphHtml({ cspSource: CSP_SOURCE, scriptUri: `${CSP_SOURCE}/ext/dist/webview.js`, nonce, title: 'Impact graph: <Rate & "Tax">' });

  it('allows scripts and styles only with the nonce, and nothing else by default', () => {
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1].replace(/&#39;/g, "'");
    expect(csp).toBe(contentSecurityPolicy(CSP_SOURCE, nonce));
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain(`script-src 'nonce-${nonce}'`);
    expect(csp).toContain(`style-src 'nonce-${nonce}'`);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
  });

  it('puts the nonce on every script and style element, and loads the one bundled script', () => {
    const scripts = html.match(/<script[^>]*>/g) ?? [];
    const styles = html.match(/<style[^>]*>/g) ?? [];
    expect(scripts).toEqual([`<script nonce="${escapeHtml(nonce)}" src="${CSP_SOURCE}/ext/dist/webview.js">`]);
    expect(styles.length).toBeGreaterThan(0);
    for (const s of styles) expect(s).toContain(`nonce="${escapeHtml(nonce)}"`);
    expect(html).not.toMatch(/ style="/); // inline style attributes would need 'unsafe-inline'
  });

  it('escapes the title', () => {
    expect(html).toContain('<title>Impact graph: &lt;Rate &amp; &quot;Tax&quot;&gt;</title>');
    expect(html).not.toContain('<Rate');
  });

  it('has the containers the script fills', () => {
    for (const id of ['title', 'summary', 'graph', 'message', 'nodes']) expect(html).toContain(`id="${id}"`);
  });
});

describe('makeNonce', () => {
  it('is fresh every time and long enough', () => {
    const a = makeNonce();
    expect(a).not.toBe(makeNonce());
    expect(Buffer.from(a, 'base64').length).toBeGreaterThanOrEqual(16);
  });
});
