// Issue 11: the renderer may connect to its own origin only. The meta CSP in renderer/index.html
// (Electron and browser mode alike) and the studio server's header once allowed ws://127.0.0.1:*,
// i.e. any local server; both now say connect-src 'self'. That the studio's same-origin socket
// still works under it is shown in Chromium by test/e2e/security-studio-cookie.test.ts and
// test/e2e/studio-demo.test.ts.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { studioCsp } from '../../main/browser/studio-server.js';

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
  it("renderer/index.html's meta CSP connects to 'self' only", () => {
    const html = fs.readFileSync(path.join(__dirname, '../../renderer/index.html'), 'utf8');
    const meta = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]+)"/i.exec(html)?.[1];
    expect(meta, 'index.html has a CSP meta tag').toBeTruthy();
    const d = directives(meta!);
    expect(d.get('connect-src')).toEqual(["'self'"]);
    expect(d.get('default-src')).toEqual(["'none'"]);
    expect(meta).not.toMatch(/ws:|wss:|\*/);
  });

  it("the studio's CSP header connects to 'self' only", () => {
    const d = directives(studioCsp());
    expect(d.get('connect-src')).toEqual(["'self'"]);
    expect(d.get('frame-ancestors')).toEqual(["'none'"]);
  });
});
