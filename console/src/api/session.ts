import type { Whoami } from './types.js';

/** A signed-in user: the credential and what /v1/whoami said about it. */
export interface Session {
  credential: string;
  principal: Whoami;
  /** kept in sessionStorage (this tab only, gone when it closes), or in memory only */
  remember: boolean;
}

const KEY = 'modelgate.console.session';

/**
 * Where the credential lives: in memory, or in this tab's sessionStorage when the user asks to
 * stay signed in across reloads. Never localStorage (shared by tabs, kept forever), never a
 * cookie, never the URL.
 */
export const sessionStore = {
  load(): Session | null {
    try {
      const raw = window.sessionStorage.getItem(KEY);
      if (!raw) return null;
      const s = JSON.parse(raw) as Session;
      return typeof s.credential === 'string' && typeof s.principal?.id === 'string' ? s : null;
    } catch {
      return null;
    }
  },
  save(s: Session): void {
    if (s.remember) window.sessionStorage.setItem(KEY, JSON.stringify(s));
    else window.sessionStorage.removeItem(KEY);
  },
  clear(): void {
    window.sessionStorage.removeItem(KEY);
  },
};
