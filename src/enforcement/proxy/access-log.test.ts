// The access log never writes a device enrollment's poll secret (the last segment of its URL).
import { describe, expect, it } from 'vitest';
import { loggablePath } from './access-log.js';

describe('loggablePath', () => {
  it('redacts the poll secret and leaves every other path as it is', () => {
    expect(loggablePath('/.tenet/device/enroll/Zm9vYmFyYmF6cXV4MDEyMzQ1Njc4OWFiY2RlZmdoaWpr')).toBe('/.tenet/device/enroll/<redacted>');
    expect(loggablePath('/.tenet/device/enroll')).toBe('/.tenet/device/enroll');
    expect(loggablePath('/.tenet/device/enroll/')).toBe('/.tenet/device/enroll/');
    expect(loggablePath('/payroll/enroll/x')).toBe('/payroll/enroll/x');
  });
});
