export {
  startSmtpCatcher, type CaughtMail, type SmtpAttempt, type SmtpCatcher, type SmtpCatcherOptions, type SmtpFault, type SmtpStage,
} from './catcher.js';
