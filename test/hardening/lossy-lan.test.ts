/**
 * The quick lossy-LAN check (8 MiB each way, plain and FTPS, and a cable cut) in network
 * namespaces the test creates; the 64 MiB version runs in `npm run test:soak`. Skipped, with the
 * reason, where namespaces can't be created (not Linux, not root).
 */
import { defineLossyLanSuite } from '../soak/lossy-lan-suite.js';

await defineLossyLanSuite({ sizeMiB: 8 });
