// A refusal in the device protocol: the `error` code of src/devices/protocol.ts, the HTTP status it
// is answered with, and a description safe to show the agent (never a secret, never a stack).
import type { DeviceProtocolError } from './protocol.js';

export class DeviceProtocolFailure extends Error {
  readonly code: DeviceProtocolError['error'];
  readonly status: number;

  constructor(code: DeviceProtocolError['error'], status: number, description: string) {
    super(description);
    this.name = 'DeviceProtocolFailure';
    this.code = code;
    this.status = status;
  }

  toBody(): DeviceProtocolError {
    return { error: this.code, error_description: this.message };
  }
}
