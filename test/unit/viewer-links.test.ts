// Where viewers watch: the balancer first, then each Tandem node's own page (from its control URL,
// http or ws), no duplicates, nothing for plain RTMP servers.
import { describe, expect, it } from 'vitest';
import { nodeViewerUrl, viewerLinks } from '../../common/viewer-links.js';

describe('viewer links', () => {
  it('lists the balancer, then every node page, once each', () => {
    expect(
      viewerLinks(
        [
          { label: 'Frankfurt', controlUrl: 'https://a.example:8443' },
          { label: 'CDN', controlUrl: null },
          { label: 'Paris', controlUrl: 'ws://b.example:8080/control' },
          { label: 'Frankfurt again', controlUrl: 'https://a.example:8443/' },
        ],
        ['https://watch.example/'],
      ),
    ).toEqual([
      { label: 'Balancer', url: 'https://watch.example/', kind: 'balancer' },
      { label: 'Frankfurt', url: 'https://a.example:8443/', kind: 'node' },
      { label: 'Paris', url: 'http://b.example:8080/', kind: 'node' },
    ]);
    expect(nodeViewerUrl('wss://n.example/control')).toBe('https://n.example/');
    expect(nodeViewerUrl('not a url')).toBeNull();
    expect(viewerLinks([], [])).toEqual([]);
    // A profile whose viewer addresses are the nodes themselves (the demo cluster): named as the nodes.
    expect(viewerLinks([{ label: 'node-1', controlUrl: 'http://127.0.0.1:1000' }], ['http://127.0.0.1:1000', 'http://127.0.0.1:2000/'])).toEqual([
      { label: 'node-1', url: 'http://127.0.0.1:1000/', kind: 'node' },
      { label: 'Balancer', url: 'http://127.0.0.1:2000/', kind: 'balancer' },
    ]);
  });
});
