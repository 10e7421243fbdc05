/**
 * Lossy LAN, soak size: 64 MiB down and up, plain and FTPS, through an impaired link between two
 * network namespaces, then a cable cut mid-transfer (see lossy-lan-suite.ts).
 */
import { defineLossyLanSuite } from './lossy-lan-suite.js';

await defineLossyLanSuite({ sizeMiB: 64 });
