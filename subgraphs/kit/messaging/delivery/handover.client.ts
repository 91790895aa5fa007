import { fetch as tlsFetch } from 'undici';
import { signHandover } from '../../signing';
import type { Peers } from '../outbox';
import type { Claimed } from './outbox.store';

/** Why a delivery failed, in words that carry no address, payload or receiver text (they are stored and shown). */
export class DeliveryFailed extends Error {}

/** The receiver answered and refused this message (malformed, unknown type): its fault, not the destination's. */
export class MessageRefused extends DeliveryFailed {}

const MESSAGE_FAULTS = new Set([400, 404, 409, 413, 415, 422]);

/**
 * The id a receiver dedupes by, with the sender's name: the message's UUID, or `<source>:<row id>` for a message
 * written before message ids existed, which its receiver may already have applied under that key.
 */
export const wireId = (source: string, m: Pick<Claimed, 'id' | 'messageId' | 'legacyKey'>) => (m.legacyKey ? `${source}:${m.id}` : m.messageId);

/** POST /handover on the destination, signed as this system with its own key; any 2xx is an acknowledgement, a rejection included. */
export async function postHandover(peers: Peers, source: string, m: Claimed, timeoutMs: number, stop: AbortSignal): Promise<void> {
  const base = peers.baseUrl(m.destination);
  if (!base) throw new DeliveryFailed('no address configured');
  const body = JSON.stringify({ id: wireId(source, m), source, type: m.type, dossierCode: m.dossierCode, payload: m.payload });
  const headers = signHandover(peers.privateKey(source), {
    method: 'POST',
    path: '/handover',
    body,
    identity: { subject: source, role: 'SERVICE' },
    requestId: `outbox-${source}-${m.messageId}`.slice(0, 64),
  });
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = AbortSignal.any([timeout, stop]);
  let status: number;
  try {
    const init = { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body, signal };
    // A destination behind mutual TLS goes through its own agent, with undici's fetch (the one its agents are made for).
    const dispatcher = peers.dispatcher?.(m.destination);
    const res = dispatcher ? await tlsFetch(`${base}/handover`, { ...init, dispatcher }) : await fetch(`${base}/handover`, init);
    status = res.status;
    await res.arrayBuffer();
  } catch (e) {
    const code = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).name;
    throw new DeliveryFailed(timeout.aborted ? `no answer within ${timeoutMs} ms` : stop.aborted ? 'stopped' : `not reachable (${code})`);
  }
  if (MESSAGE_FAULTS.has(status)) throw new MessageRefused(`answered ${status}`);
  if (status < 200 || status > 299) throw new DeliveryFailed(`answered ${status}`);
}
