// Who is calling: every API call's actor is an authenticated principal, never a field of the body.

export type Role = 'requester' | 'approver' | 'operator' | 'admin';
export const ROLES: readonly Role[] = ['requester', 'approver', 'operator', 'admin'];

export interface Principal {
  /** An email address for people, a name for systems (`ci-bot`). */
  name: string;
  roles: readonly Role[];
  /** A static API token, or a token from the organisation's identity provider. */
  via: 'token' | 'sso';
  /** When the credential stops being valid (an SSO token's `exp`); none for static tokens. */
  expiresAt?: Date;
}

/** Turns a bearer credential into a principal, or null when it is not one of its kind or not valid. */
export interface Authenticator {
  authenticate(bearer: string): Promise<Principal | null>;
  /**
   * For a console session made from a credential: does the credential with this sha256 (hex)
   * still name this principal? A token removed or rotated out ends the sessions made with it.
   * Authenticators whose credentials expire on their own (SSO) leave it out.
   */
  stillValid?(credentialSha256: string, principal: string): boolean;
}
