import { describe, expect, it } from 'vitest';
import { ServiceError, toServiceError } from '../../../server/service/errors.ts';
import { InvalidInputError } from '../../../server/service/model-backend.ts';

describe('toServiceError', () => {
  it("maps the engine's option and input errors to invalid_input with their message", () => {
    const engineError = Object.assign(new Error('nBest: 4 exceeds beamSize 2'), { name: 'DecodingOptionsError' });
    expect(toServiceError(engineError)).toMatchObject({ code: 'invalid_input', message: 'nBest: 4 exceeds beamSize 2', status: 400 });
    expect(toServiceError(new InvalidInputError('too long')).code).toBe('invalid_input');
  });
  it("maps the decoding scheduler's coded errors (busy, timeout, aborted, closed)", () => {
    const coded = (code: string) => Object.assign(new Error(`${code}: ...`), { code });
    expect(['busy', 'timeout', 'aborted', 'closed'].map((c) => toServiceError(coded(c)).code)).toEqual(['busy', 'timeout', 'cancelled', 'shutting_down']);
    expect(toServiceError(coded('ENOENT')).code).toBe('internal');
  });

  it('keeps service errors and hides the details of anything else', () => {
    const busy = new ServiceError('busy', 'queue full');
    expect(toServiceError(busy)).toBe(busy);
    expect(toServiceError(new TypeError('secret path /etc/x'))).toMatchObject({ code: 'internal', message: 'internal error', status: 500 });
  });
});
