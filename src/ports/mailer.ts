export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Stable id, so a resend after a crash is recognisable as the same message. */
  messageId: string;
  headers?: Record<string, string>;
}

export interface Mailer {
  send(message: MailMessage): Promise<void>;
  /** Let go of open connections (at shutdown). */
  close?(): void;
}
