/**
 * The console's own commands (run by src/console/index.ts) in the command
 * table's shape: name, aliases, gdb 13's help (first line: the summary).
 */
export const CONSOLE_SPECS: Array<{ name: string; aliases?: string[]; help: string }> = [
  { name: 'define', help: 'Define a new command name.  Command name is argument.\nDefinition appears on following lines, one command per line.\nEnd with a line of just "end".\nUse the "document" command to give documentation for the new command.\nCommands defined in this way may accept an unlimited number of arguments\naccessed via $arg0 .. $argN.  $argc tells how many arguments have\nbeen passed.' },
  { name: 'document', help: 'Document a user-defined command or user-defined alias.\nGive command or alias name as argument.  Give documentation on following lines.\nEnd with a line of just "end".' },
  { name: 'if', help: 'Execute nested commands once IF the conditional expression is non zero.\nThe conditional expression must follow the word `if\' and must in turn be\nfollowed by a new line.  The nested commands must be entered one per line,\nand should be terminated by the word \'else\' or `end\'.  If an else clause\nis used, the same rules apply to its nested commands as to the first ones.' },
  { name: 'while', help: 'Execute nested commands WHILE the conditional expression is non zero.\nThe conditional expression must follow the word `while\' and must in turn be\nfollowed by a new line.  The nested commands must be entered one per line,\nand should be terminated by the word `end\'.' },
  { name: 'source', help: 'Read commands from a file named FILE.\n\nUsage: source [-s] [-v] FILE\n-s: search for the script in the source search path,\n    even if FILE contains directories.\n-v: each command in FILE is echoed as it is executed.\n\nNote that the file ".gdbinit" is read automatically in this way\nwhen GDB is started.' },
  { name: 'shell', aliases: ['!'], help: 'Execute the rest of the line as a shell command.\nWith no arguments, run an inferior shell.' },
  { name: 'pipe', aliases: ['|'], help: 'Send the output of a gdb command to a shell command.\nUsage: | [COMMAND] | SHELL_COMMAND\nUsage: | -d DELIM COMMAND DELIM SHELL_COMMAND\nUsage: pipe [COMMAND] | SHELL_COMMAND\nUsage: pipe -d DELIM COMMAND DELIM SHELL_COMMAND\n\nExecutes COMMAND and sends its output to SHELL_COMMAND.\n\nThe -d option indicates to use the string DELIM to separate COMMAND\nfrom SHELL_COMMAND, in alternative to |.  This is useful in\ncase COMMAND contains a | character.\n\nWith no COMMAND, repeat the last executed command\nand send its output to SHELL_COMMAND.' },
  { name: 'add-auto-load-safe-path', help: 'Add entries to the list of directories from which it is safe to auto-load files.\nSee the commands \'set auto-load safe-path\' and \'show auto-load safe-path\' to\naccess the current full list setting.' },
  { name: 'complete', help: 'List the completions for the rest of the line as a command.' },
];

export const CONSOLE_NAMES = new Set(CONSOLE_SPECS.map((s) => s.name));
