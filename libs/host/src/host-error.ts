/** A setting combination the host cannot start with; main prints the message and exits 1. */
export class HostConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HostConfigError';
  }
}
