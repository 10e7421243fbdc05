/**
 * Who a request comes from, and signing in and out. In order:
 *
 * 1. `?token=T` (the QR code): a valid token signs the browser in (a cookie) and the address is
 *    reloaded without it, so it leaves the address bar and the history.
 * 2. The session cookie of an earlier sign-in.
 * 3. HTTP Basic (curl -u, wget --user): checked once per client, then remembered.
 * 4. The anonymous login, when the share grants one: the page opens directly.
 * 5. Otherwise a browser is sent to the sign-in page and any other client gets 401 with a Basic
 *    challenge.
 *
 * Browser navigations that get in by Basic or anonymously get a cookie too, so the page's script
 * has a session whose CSRF token guards its writes. Every credential check waits first for the
 * address's throttle delay (the LoginThrottle shared with FTP), and a failure counts in it and is
 * answered only after `loginFailureDelayMs`, as a failed FTP PASS is.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LoginGrant } from '../auth/authorizer.js';
import { secretsEqual } from '../auth/simple-authorizer.js';
import type { FileSystem } from '../fs/file-system.js';
import { readFields, BodyError } from './body.js';
import type { WebContext } from './exchange.js';
import { originCheck } from './http-guard.js';
import { renderSignInPage } from './pages.js';
import type { RequestTarget } from './request-path.js';
import { redirect, sendError, sendHtml, wantsHtml } from './responses.js';
import { clientKey, cookieKey, type SessionOrigin, type SignIn, type WebSession } from './web-sessions.js';

export const BASIC_CHALLENGE = 'Basic realm="FTP Share", charset="UTF-8"';

/** Who made a request. */
export interface Identity {
  session: WebSession;
  fs: FileSystem;
  user: string;
  signIn?: SignIn;
}

/** The cookie's name: `__Host-` over HTTPS, where browsers then insist on Secure, Path=/ and no Domain. */
export function cookieName(secure: boolean): string {
  return secure ? '__Host-ftpshare' : 'ftpshare';
}

function readCookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function cookieHeader(ctx: WebContext, value: string, clear = false): string {
  return `${cookieName(ctx.secure)}=${value}; Path=/; HttpOnly; SameSite=Strict${ctx.secure ? '; Secure' : ''}${clear ? '; Max-Age=0' : ''}`;
}

/** A same-origin path to return to after signing in; anything else (another host, `//x`) becomes `/`. */
export function safeReturnTo(value: string | null | undefined): string {
  if (!value || value.length > 8192 || !value.startsWith('/') || value.startsWith('//') || /[\u0000-\u001f\\]/.test(value)) return '/';
  return value;
}

/** Waits `ms`, or less when the client goes away first (no timer outlives its request). */
function waitUnlessGone(res: ServerResponse, ms: number): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      res.off('close', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    res.once('close', done);
  });
}

/** A failed sign-in of any kind: reported, counted against the address, answered late. */
async function loginFailed(ctx: WebContext, res: ServerResponse, session: WebSession, user: string): Promise<void> {
  const remoteAddress = session.remoteAddress;
  ctx.emit('login-failed', { sessionId: session.id, user, remoteAddress });
  const state = ctx.loginThrottle.recordFailure(remoteAddress);
  if (state.delayMs > 0) ctx.emit('address-throttled', { remoteAddress, ...state, windowMs: ctx.loginThrottle.windowMs });
  await waitUnlessGone(res, ctx.limits.loginFailureDelayMs);
}

function parseBasic(header: string | undefined): { user: string; password: string } | undefined {
  const match = /^\s*basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** The URL of the sign-in page that comes back to `returnTo`. */
function signInHref(returnTo: string): string {
  return `/?signin&returnTo=${encodeURIComponent(returnTo)}`;
}

/** The request's path and query as sent (origin form), minus the `token` parameter. */
function withoutToken(target: RequestTarget): string {
  const query = new URLSearchParams(target.query);
  query.delete('token');
  const rest = query.toString().replace(/=(?=&|$)/g, '');
  return safeReturnTo(target.rawPath + (rest === '' ? '' : `?${rest}`));
}

/**
 * A session for a client, or 503 when the server holds as many sessions as it may. Undefined when
 * it answered.
 */
function sessionOrRefuse(ctx: WebContext, req: IncomingMessage, res: ServerResponse, key: string, origin: SessionOrigin, signIn?: SignIn): WebSession | undefined {
  const session = ctx.sessions.sessionFor(key, origin, signIn);
  if (!session) sendError(req, res, 503, 'Too many visitors right now, try again later', { 'Retry-After': '60' });
  return session;
}

/** The visitor session of a client not signed in (for the events of its sign-in attempts). */
export function visitorSession(ctx: WebContext, req: IncomingMessage, res: ServerResponse, origin: SessionOrigin): WebSession | undefined {
  return sessionOrRefuse(ctx, req, res, clientKey(origin.remoteAddress, req.headers['user-agent'], ''), origin);
}

/** Signs a browser in with a cookie for `grant`; its client session goes on as the cookie's. */
function signInWithCookie(ctx: WebContext, res: ServerResponse, session: WebSession, grant: LoginGrant, anonymous: boolean, tokenId?: string): Identity {
  const signIn = ctx.sessions.createSignIn(grant, anonymous, tokenId);
  res.appendHeader('Set-Cookie', cookieHeader(ctx, signIn.id));
  const adopted = ctx.sessions.adopt(session, cookieKey(signIn), signIn);
  ctx.sessions.loggedIn(adopted, grant.user);
  return { session: adopted, fs: grant.fs, user: grant.user, signIn };
}

/** Who made the request; undefined when it has been answered (a redirect, 401, 503). */
export async function authenticate(ctx: WebContext, req: IncomingMessage, res: ServerResponse, target: RequestTarget, origin: SessionOrigin): Promise<Identity | undefined> {
  const userAgent = req.headers['user-agent'];
  const navigation = (req.method === 'GET' || req.method === 'HEAD') && wantsHtml(req);
  const loginContext = { remoteAddress: origin.remoteAddress, secure: ctx.secure };

  const token = target.query.get('token');
  if (token !== null && (req.method === 'GET' || req.method === 'HEAD')) {
    await redeemToken(ctx, req, res, target, origin, token);
    return undefined;
  }

  const cookie = readCookie(req, cookieName(ctx.secure));
  if (cookie !== undefined) {
    const signIn = ctx.sessions.signInFor(cookie);
    if (signIn) {
      const session = sessionOrRefuse(ctx, req, res, cookieKey(signIn), origin, signIn);
      if (!session) return undefined;
      ctx.sessions.loggedIn(session, signIn.user);
      return { session, fs: signIn.fs, user: signIn.user, signIn };
    }
    // Signed out, kicked, expired or from an earlier run: drop it and go on without.
    res.appendHeader('Set-Cookie', cookieHeader(ctx, '', true));
  }

  const basic = parseBasic(req.headers.authorization);
  if (basic) {
    const key = clientKey(origin.remoteAddress, userAgent, basic.user);
    const credential = createHash('sha256').update(req.headers.authorization!).digest('base64url');
    const known = ctx.sessions.find(key);
    let grant = known?.credential !== undefined && secretsEqual(known.credential, credential) ? known.grant : undefined;
    let session: WebSession | undefined = grant ? ctx.sessions.sessionFor(key, origin) : undefined;
    if (!grant) {
      await waitUnlessGone(res, ctx.loginThrottle.delayMs(origin.remoteAddress));
      grant = (await ctx.authorizer.login(basic.user, basic.password, loginContext)) ?? undefined;
      if (!grant) {
        const visitor = visitorSession(ctx, req, res, origin);
        if (!visitor) return undefined;
        await loginFailed(ctx, res, visitor, basic.user);
        sendError(req, res, 401, 'Wrong user name or password', { 'WWW-Authenticate': BASIC_CHALLENGE });
        return undefined;
      }
      const visitor = ctx.sessions.find(clientKey(origin.remoteAddress, userAgent, ''));
      session = visitor ? ctx.sessions.adopt(visitor, key) : sessionOrRefuse(ctx, req, res, key, origin);
      if (!session) return undefined;
      session.grant = grant;
      session.credential = credential;
    }
    if (!session) return void sendError(req, res, 503, 'Too many visitors right now, try again later', { 'Retry-After': '60' });
    if (navigation) return signInWithCookie(ctx, res, session, grant, false);
    ctx.sessions.loggedIn(session, grant.user);
    return { session, fs: grant.fs, user: grant.user };
  }

  // Anonymous: asked each time, so a share switched to an account stops letting new clients in.
  const anonymous = await ctx.authorizer.login('anonymous', '', loginContext);
  if (anonymous) {
    const key = clientKey(origin.remoteAddress, userAgent, anonymous.user);
    const visitor = ctx.sessions.find(clientKey(origin.remoteAddress, userAgent, ''));
    const session = visitor ? ctx.sessions.adopt(visitor, key) : sessionOrRefuse(ctx, req, res, key, origin);
    if (!session) return undefined;
    if (navigation) return signInWithCookie(ctx, res, session, anonymous, true);
    ctx.sessions.loggedIn(session, anonymous.user);
    return { session, fs: anonymous.fs, user: anonymous.user };
  }

  // Only a person opening a page is a visitor the app shows: a cookie-less sub-request (the
  // favicon of a sandboxed file view, a probe) is answered without becoming a session.
  if (navigation) {
    if (!visitorSession(ctx, req, res, origin)) return undefined;
    redirect(req, res, 303, signInHref(withoutToken(target)));
  } else {
    sendError(req, res, 401, 'Sign in to see this share', { 'WWW-Authenticate': BASIC_CHALLENGE });
  }
  return undefined;
}

/** `?token=T`: signs the browser in when T is valid, then reloads the address without it. */
async function redeemToken(ctx: WebContext, req: IncomingMessage, res: ServerResponse, target: RequestTarget, origin: SessionOrigin, token: string): Promise<void> {
  const visitor = visitorSession(ctx, req, res, origin);
  if (!visitor) return;
  await waitUnlessGone(res, ctx.loginThrottle.delayMs(origin.remoteAddress));
  const redeemed = ctx.tokens ? await ctx.tokens.redeem(token, { remoteAddress: origin.remoteAddress, secure: ctx.secure }) : null;
  if (redeemed) signInWithCookie(ctx, res, visitor, redeemed.grant, false, redeemed.tokenId);
  else await loginFailed(ctx, res, visitor, '(sign-in code)');
  if (!res.destroyed) redirect(req, res, 303, withoutToken(target));
}

/** `GET /?signin`: the sign-in form. */
export function signInPage(ctx: WebContext, req: IncomingMessage, res: ServerResponse, target: RequestTarget, origin: SessionOrigin): void {
  if (!visitorSession(ctx, req, res, origin)) return;
  sendHtml(req, res, 200, renderSignInPage({ shareName: ctx.shareName, returnTo: safeReturnTo(target.query.get('returnTo')) }));
}

/** `POST /?signin` with `user`, `password`, `returnTo`: a cookie and back to `returnTo`, or the form again. */
export async function signInPost(ctx: WebContext, req: IncomingMessage, res: ServerResponse, origin: SessionOrigin): Promise<void> {
  // A foreign site must not sign a browser in under an account of its choosing (login CSRF).
  if (originCheck(req, ctx.secure) === 'foreign') return sendError(req, res, 403, 'Sign-in from another site refused');
  let fields: Record<string, string>;
  try {
    fields = await readFields(req, res);
  } catch (err) {
    return sendError(req, res, err instanceof BodyError ? err.status : 400, err instanceof BodyError ? err.message : undefined);
  }
  const visitor = visitorSession(ctx, req, res, origin);
  if (!visitor) return;
  const user = fields.user ?? '';
  const returnTo = safeReturnTo(fields.returnTo);
  await waitUnlessGone(res, ctx.loginThrottle.delayMs(origin.remoteAddress));
  const grant = await ctx.authorizer.login(user, fields.password ?? '', { remoteAddress: origin.remoteAddress, secure: ctx.secure });
  if (!grant) {
    await loginFailed(ctx, res, visitor, user);
    if (res.destroyed) return;
    return sendHtml(req, res, 403, renderSignInPage({ shareName: ctx.shareName, returnTo, user, error: 'Wrong user name or password.' }));
  }
  signInWithCookie(ctx, res, visitor, grant, false);
  redirect(req, res, 303, returnTo);
}

/** `POST /?signout`: the cookie stops working. The caller has checked origin and CSRF token. */
export function signOut(ctx: WebContext, req: IncomingMessage, res: ServerResponse, signIn: SignIn | undefined): void {
  if (signIn) ctx.sessions.signOut(signIn);
  res.appendHeader('Set-Cookie', cookieHeader(ctx, '', true));
  redirect(req, res, 303, '/');
}
