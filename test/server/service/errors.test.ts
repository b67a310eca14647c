import { describe, expect, it } from 'vitest';
import { ServiceError, toServiceError } from '../../../server/service/errors.ts';
import { InvalidInputError } from '../../../server/service/model-backend.ts';

describe('toServiceError', () => {
  it("maps the engine's option and input errors to invalid_input with their message", () => {
    const engineError = Object.assign(new Error('nBest: 4 exceeds beamSize 2'), { name: 'DecodingOptionsError' });
    expect(toServiceError(engineError)).toMatchObject({ code: 'invalid_input', message: 'nBest: 4 exceeds beamSize 2', status: 400 });
    expect(toServiceError(new InvalidInputError('too long')).code).toBe('invalid_input');
  });
  it('keeps service errors and hides the details of anything else', () => {
    const busy = new ServiceError('busy', 'queue full');
    expect(toServiceError(busy)).toBe(busy);
    expect(toServiceError(new TypeError('secret path /etc/x'))).toMatchObject({ code: 'internal', message: 'internal error', status: 500 });
  });
});
