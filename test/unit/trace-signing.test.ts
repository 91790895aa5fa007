import { randomUUID } from 'node:crypto';
import { NonceCache, signRequest, verifyRequest } from '../../subgraphs/kit/signing';

/** The trace context a call carries is part of what its signature covers. */
describe('the call signature and the W3C trace context', () => {
  const SECRET = 'a-secret-the-two-ends-share';
  const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
  const body = JSON.stringify({ query: '{ _service { sdl } }' });
  const sign = (trace?: Record<string, string>) =>
    signRequest(SECRET, { method: 'POST', path: '/graphql', body, identity: { subject: 's', role: 'CENTRE_STAFF' }, requestId: randomUUID(), trace });
  const verify = (headers: Record<string, string | string[] | undefined>) =>
    verifyRequest(SECRET, { method: 'POST', path: '/graphql', body, headers }, new NonceCache());

  it('when a call is signed with a traceparent, then the header is sent and the call verifies', async () => {
    const headers = sign({ traceparent: TRACEPARENT });
    expect(headers.traceparent).toBe(TRACEPARENT);
    await expect(verify(headers)).resolves.toMatchObject({ ok: true });
  });

  it('when a call is signed without trace context, then it verifies and carries none', async () => {
    const headers = sign();
    expect(Object.keys(headers)).not.toContain('traceparent');
    await expect(verify(headers)).resolves.toMatchObject({ ok: true });
  });

  it('when the traceparent is altered after signing, then the call is refused', async () => {
    const headers = sign({ traceparent: TRACEPARENT });
    await expect(verify({ ...headers, traceparent: TRACEPARENT.replace(/01$/, '00') })).resolves.toEqual({ ok: false, reason: 'bad signature' });
  });

  it('when the traceparent is removed after signing, then the call is refused', async () => {
    const { traceparent: _removed, ...headers } = sign({ traceparent: TRACEPARENT });
    await expect(verify(headers)).resolves.toEqual({ ok: false, reason: 'bad signature' });
  });

  it('when a traceparent or tracestate is added to a call signed without one, then the call is refused', async () => {
    await expect(verify({ ...sign(), traceparent: TRACEPARENT })).resolves.toEqual({ ok: false, reason: 'bad signature' });
    await expect(verify({ ...sign({ traceparent: TRACEPARENT }), tracestate: 'vendor=x' })).resolves.toEqual({ ok: false, reason: 'bad signature' });
  });

  it('when the traceparent arrives twice, then the call is refused', async () => {
    const headers = sign({ traceparent: TRACEPARENT });
    await expect(verify({ ...headers, traceparent: [TRACEPARENT, TRACEPARENT] })).resolves.toEqual({ ok: false, reason: 'bad signature' });
  });
});
