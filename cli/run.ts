// Placeholder until the subcommand lands; replaced by its owner.
export async function main(_argv: string[]): Promise<number> {
  process.stderr.write('tsdbg run: not implemented yet\n');
  return 2;
}
