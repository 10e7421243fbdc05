/**
 * `@peculiar/x509`, ready to use on Node's WebCrypto.
 *
 * Every module of core/tls imports the library from here, never directly, so that the Reflect
 * polyfill it needs is installed first and the crypto provider is set exactly once.
 */
// tsyringe, which @peculiar/x509 uses, needs the Reflect metadata API loaded first.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto);

/** The library (`x509`), with its provider set, and the WebCrypto it runs on (`webcrypto`). */
export { x509, webcrypto };
