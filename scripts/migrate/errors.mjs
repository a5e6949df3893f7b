/** Input that cannot be read as the format it claims to be; the CLI prints the message and stops. */
export class InputError extends Error {
  /**
   * @param {string} message
   * @param {number} [line] where the problem starts (1-based), when known
   */
  constructor(message, line) {
    super(line === undefined ? message : `line ${line}: ${message}`);
    this.name = "InputError";
    this.line = line;
  }
}
