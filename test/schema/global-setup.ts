// Runs in Node before the workerd tests: compiles the spec's schemas into standalone validators.
import { buildValidators } from "./build-validators.mjs";

export default function setup(): void {
  buildValidators();
}
