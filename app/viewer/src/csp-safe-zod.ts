// Imported first by the page: zod compiles fast parsers with `new Function` unless told not to,
// and the page's Content-Security-Policy (no 'unsafe-eval') reports even the probe for it.
import * as z from 'zod';

z.config({ jitless: true });
