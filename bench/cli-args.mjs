/** `--name value` or `--name=value` from the command line; undefined when absent. */
export function cliFlag(name, argv = process.argv.slice(2)) {
  const i = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return undefined;
  return argv[i].includes("=") ? argv[i].split("=", 2)[1] : argv[i + 1];
}
