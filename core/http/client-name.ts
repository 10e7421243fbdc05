/**
 * A browser's User-Agent as people name it in the Sessions panel: "Safari on iPhone",
 * "Chrome on Android", "Firefox on Windows"; command-line clients by their product ("curl").
 */
import Bowser from 'bowser';

export function clientName(userAgent: string | undefined): string | undefined {
  if (!userAgent) return undefined;
  const parser = Bowser.getParser(userAgent);
  const browser = parser.getBrowserName();
  const model = parser.getPlatform().model;
  // The device says more than its OS where it is one (an iPhone, an iPad).
  const where = model === 'iPhone' || model === 'iPad' ? model : parser.getOSName();
  if (browser && where) return `${browser} on ${where}`;
  if (browser) return browser;
  return /^([A-Za-z][\w.-]{0,39})\//.exec(userAgent)?.[1];
}
