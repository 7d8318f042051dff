// psrpc error codes, client errors and ids, against psrpc@v0.7.2's sources.
import { describe, expect, it } from 'vitest';

import { noResponse, PsrpcCode, PsrpcError, requestTimedOut, responseError } from '../../../src/cluster/errors.js';
import { newClientId, newRequestId, newServerId } from '../../../src/cluster/ids.js';

describe('psrpc errors (errors.go)', () => {
  it('code strings are psrpc’s (errors.go:279-327)', () => {
    expect(PsrpcCode).toMatchObject({
      OK: '',
      Canceled: 'canceled',
      MalformedRequest: 'malformed_request',
      MalformedResponse: 'malformed_result',
      DeadlineExceeded: 'deadline_exceeded',
      Unavailable: 'unavailable',
      Unknown: 'unknown',
      InvalidArgument: 'invalid_argument',
      NotFound: 'not_found',
      AlreadyExists: 'already_exists',
      ResourceExhausted: 'resource_exhausted',
      FailedPrecondition: 'failed_precondition',
      Internal: 'internal',
    });
  });

  it('client errors carry psrpc’s code and text (errors.go:33-34)', () => {
    expect(requestTimedOut()).toMatchObject({ code: 'deadline_exceeded', message: 'request timed out' });
    expect(noResponse()).toMatchObject({ code: 'unavailable', message: 'no response from servers' });
  });

  it('a response with an empty code is unknown (errors.go:267-270)', () => {
    expect(PsrpcError.fromResponse('', 'boom')).toMatchObject({ code: 'unknown', message: 'boom' });
  });

  it('handler errors: a PsrpcError keeps its code, anything else is unknown (pkg/server/rpc.go:261-275)', () => {
    expect(responseError(new PsrpcError('already_exists', 'dup'))).toEqual({ code: 'already_exists', error: 'dup' });
    expect(responseError(new Error('x'))).toEqual({ code: 'unknown', error: 'x' });
  });
});

describe('psrpc ids (pkg/rand/id.go)', () => {
  it('are a prefix and 12 characters of [a-zA-Z0-9]', () => {
    expect(newClientId()).toMatch(/^CLI_[a-zA-Z0-9]{12}$/);
    expect(newServerId()).toMatch(/^SRV_[a-zA-Z0-9]{12}$/);
    expect(newRequestId()).toMatch(/^REQ_[a-zA-Z0-9]{12}$/);
    expect(new Set(Array.from({ length: 100 }, newRequestId)).size).toBe(100);
  });
});
