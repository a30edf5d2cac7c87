import type { CallSummary } from './types';

/** What a call is answered: a status and a JSON body, and what the log line says about it. */
export interface Answer {
  status: number;
  body: unknown;
  /** The methods a path takes, for the `Allow` header of a 405. */
  allow?: readonly string[];
  /** Close the connection after answering (a body that was not read to its end). */
  close?: boolean;
  summary?: CallSummary;
}

export const errorAnswer = (status: number, message: string, extra: Partial<Answer> = {}): Answer => ({
  status,
  body: { error: message },
  ...extra,
});
