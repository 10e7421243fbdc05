/**
 * Listening on a port, the one way every listener of ours does it (the FTP listener, passive
 * data listeners, the free-port finder, the web hosts): resolves once listening, rejects with the
 * bind error and leaves no listener behind on the server object.
 */
import type net from 'node:net';

export function listen(server: net.Server, options: net.ListenOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => {
      server.off('listening', onListening);
      reject(err);
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(options);
  });
}
