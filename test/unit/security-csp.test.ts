// Issue 11: the renderer may connect to its own origin only. The renderer page's policy once allowed ws://127.0.0.1:*, i.e.
// any local server, in a meta copy and a header; one policy (common/renderer-page.ts) now says
// connect-src 'self', sent as a header by both shells. That the studio's same-origin socket
// still works under it is shown in Chromium by test/e2e/security-studio-cookie.test.ts and
// test/e2e/studio-demo.test.ts.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RENDERER_CSP } from '../../common/renderer-page.js';
import { APP_CSP } from '../../main/app-origin.js';

function directives(policy: string): Map<string, string[]> {
  return new Map(
    policy
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...values]) => [name!, values]),
  );
}

describe('content security policy', () => {
  it("the renderer page's one policy connects to 'self' only", () => {
    const d = directives(RENDERER_CSP);
    expect(d.get('connect-src')).toEqual(["'self'"]);
    expect(d.get('default-src')).toEqual(["'none'"]);
    expect(d.get('frame-ancestors')).toEqual(["'none'"]);
    expect(RENDERER_CSP).not.toMatch(/ws:|wss:|\*/);
  });

  it('both shells send that one policy, and index.html holds no copy of it that could drift', () => {
    expect(APP_CSP).toBe(RENDERER_CSP);
    const html = fs.readFileSync(path.join(__dirname, '../../renderer/index.html'), 'utf8');
    expect(html).not.toMatch(/http-equiv="Content-Security-Policy"/i);
    const studio = fs.readFileSync(path.join(__dirname, '../../main/browser/studio-server.ts'), 'utf8');
    expect(studio).toMatch(/'content-security-policy'\] = RENDERER_CSP/);
  });
});
