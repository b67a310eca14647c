// The `parley` command line: parses the sub-command and hands over to its module.
const [command] = process.argv.slice(2);
console.error(`parley: unknown command ${JSON.stringify(command ?? '')}`);
process.exit(2);
