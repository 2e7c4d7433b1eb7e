/** The website's page for a request it cannot answer: a wrong method, a malformed URL, headers too large. */
import type { Assets } from '../assets.js';
import { problemPage } from './not-found.js';

const problems: Record<number, { title: string; message: string }> = {
  400: { title: 'Bad request', message: 'This address or request is malformed and cannot be answered.' },
  405: { title: 'Method not allowed', message: 'The pages of this site answer GET and HEAD only.' },
  408: { title: 'Request timeout', message: 'The request did not arrive in time.' },
  413: { title: 'Request too large', message: 'The request is larger than this site accepts.' },
  415: { title: 'Unsupported content', message: 'The pages of this site take no request body.' },
  431: { title: 'Request headers too large', message: 'The request’s headers are larger than this site accepts.' },
};

const fallback = { title: 'Request not answered', message: 'This request cannot be answered.' };

export function clientErrorPage(assets: Assets, status: number): string {
  return problemPage(assets, problems[status] ?? fallback);
}
