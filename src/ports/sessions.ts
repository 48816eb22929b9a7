// Console sign-ins: a session names a principal for a while, so a person pastes a credential
// once, not on every page. Only a digest of the session id is stored.

import type { Principal } from './identity.js';

export interface Session {
  principal: Principal;
  /** sha256 (hex) of the credential it was made from: a token rotated out ends it. */
  credential: string;
  createdAt: string;
  expiresAt: string;
}

export interface SessionStore {
  /** Stores the session until it expires; answers the id to hand the browser. */
  create(session: Session): Promise<string>;
  get(id: string): Promise<Session | null>;
  destroy(id: string): Promise<void>;
}
