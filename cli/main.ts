// The `parley` command line: picks the sub-command and hands the remaining arguments to its module.
// Each sub-command lives in its own file under cli/ and exports `run(args: string[]): Promise<number>`.

const commands: Record<string, { module: string; summary: string }> = {
  tokenizer: { module: './tokenizer.ts', summary: 'train, encode and decode subword models' },
  train: { module: './train.ts', summary: 'train a model for a task into a servable model directory' },
  index: { module: './index-replies.ts', summary: "index a chat model's training prompts for its retrieved candidate pool" },
  eval: { module: './eval.ts', summary: "print a model's task metrics on a corpus split as JSON" },
  decode: { module: './decode.ts', summary: 'stdin lines -> model outputs' },
  'self-label': { module: './self-label.ts', summary: "a parser's most confident parses of raw sentences, as training trees" },
  'eval-models': { module: './eval-models.ts', summary: 'check that shipped models reproduce their model cards (npm run eval)' },
  compare: { module: './compare.ts', summary: 'train GRU and LSTM variants for the same budget (Chung et al. 2014)' },
  conversations: { module: './conversations.ts', summary: 'export stored conversations (with feedback) as JSONL' },
  quantize: { module: './quantize.ts', summary: 'store a model directory\'s weights as float16' },
  export: { module: './onnx-export.ts', summary: 'write a saved model\'s ONNX graphs (encoder.onnx, decoder.onnx)' },
};

function usage(): string {
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(15)}${c.summary}`);
  return ['usage: parley <command> [options]', '', 'commands:', ...lines].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    console.log(usage());
    return name === undefined ? 2 : 0;
  }
  const command = commands[name];
  if (!command) {
    console.error(`parley: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  const mod = (await import(command.module)) as { run(args: string[]): Promise<number> };
  return mod.run(rest);
}

process.exitCode = await main(process.argv.slice(2));
