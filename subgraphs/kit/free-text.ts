import { badUserInput } from './errors';

/**
 * Nine or more digits in a row, with spaces, dots, dashes or brackets between them allowed: a citizen ID
 * (12 digits), an old identity card (9), a phone number (0 and 9 digits, or +84 and 9). A date (01.02.2026) or
 * an amount up to 99 999 999 passes. Names cannot be told from other words, so they are not looked for here:
 * free text is instead withheld from every caller who sees persons masked.
 */
const DIGIT_RUN = /\d(?:[\s.\-()]*\d){8,}/u;

/** Refuses free text that carries an ID or a phone number, naming the field; nothing is redacted silently. */
export function refusePersonalData(field: string, text: string | null | undefined): void {
  if (text && DIGIT_RUN.test(text)) {
    throw badUserInput(`${field} must not carry personal data (an ID or phone number): refer to the dossier instead`, { field });
  }
}
