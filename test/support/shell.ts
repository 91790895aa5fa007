/**
 * The bit of shell the README's curl steps are written in, read as bash reads it: commands end at a newline or `;`
 * outside quotes, `#` starts a comment, `\` + newline joins lines, '…' is literal, "…" and bare words expand $NAME,
 * `NAME=$(curl … | sed -E 's/…/…/')` keeps an answer's part, `echo` prints. curl runs as fetch. Anything else is
 * refused, so the README cannot hold a step the test does not follow.
 */
export interface CurlCall {
  headers: Record<string, string>;
  body: string;
  status: number;
  responseHeaders: Headers;
  answer: string;
}

/** The commands of a script, unexpanded, comments left out. */
export function shellCommands(script: string): string[] {
  const commands: string[] = [];
  let current = '';
  let quote: "'" | '"' | null = null;
  let depth = 0;
  const end = () => {
    if (current.trim()) commands.push(current.trim());
    current = '';
  };
  for (let i = 0; i < script.length; i++) {
    const c = script[i];
    if (quote) {
      if (c === '\\' && quote === '"') current += c + script[++i];
      else {
        if (c === quote) quote = null;
        current += c;
      }
    } else if (c === '\\') {
      current += c + script[++i];
    } else if (c === "'" || c === '"') {
      quote = c;
      current += c;
    } else if (c === '#' && /(^|\s)$/.test(current)) {
      while (i + 1 < script.length && script[i + 1] !== '\n') i++;
    } else if ((c === '\n' || c === ';') && depth === 0) {
      end();
    } else {
      if (c === '$' && script[i + 1] === '(') depth++;
      if (c === ')' && depth > 0) depth--;
      current += c;
    }
  }
  if (quote || depth) throw new Error(`unclosed ${quote ?? '$('} in: ${current}`);
  end();
  return commands;
}

/** The words of one command as bash passes them on: quotes removed, variables expanded; `|` a word of its own. */
export function shellWords(command: string, vars: Record<string, string>): string[] {
  const words: string[] = [];
  let word: string | null = null;
  const expand = (rest: string): [string, number] => {
    const m = /^\$(\w+)/.exec(rest);
    if (!m) throw new Error(`unsupported expansion: ${rest.slice(0, 20)}`);
    if (!(m[1] in vars)) throw new Error(`$${m[1]} is not set`);
    return [vars[m[1]], m[0].length];
  };
  for (let i = 0; i < command.length;) {
    const c = command[i];
    if (c === '\\' && command[i + 1] === '\n') {
      i += 2;
    } else if (/\s/.test(c) || c === '|') {
      if (word !== null) words.push(word);
      if (c === '|') words.push('|');
      word = null;
      i++;
    } else if (c === "'") {
      const close = command.indexOf("'", i + 1);
      word = (word ?? '') + command.slice(i + 1, close);
      i = close + 1;
    } else if (c === '"') {
      word ??= '';
      for (i++; command[i] !== '"'; ) {
        if (command[i] === '\\' && '"\\$`'.includes(command[i + 1])) {
          word += command[i + 1];
          i += 2;
        } else if (command[i] === '$') {
          const [value, length] = expand(command.slice(i));
          word += value;
          i += length;
        } else word += command[i++];
      }
      i++;
    } else if (c === '$') {
      const [value, length] = expand(command.slice(i));
      word = (word ?? '') + value;
      i += length;
    } else if (c === '\\') {
      word = (word ?? '') + command[i + 1];
      i += 2;
    } else {
      word = (word ?? '') + c;
      i++;
    }
  }
  if (word !== null) words.push(word);
  return words;
}

async function curl(args: string[]): Promise<CurlCall> {
  let url: string | undefined;
  const headers: Record<string, string> = {};
  let body: string | undefined;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '-s') continue;
    if (args[i] === '-H') {
      const header = args[++i];
      const colon = header.indexOf(':');
      headers[header.slice(0, colon).trim().toLowerCase()] = header.slice(colon + 1).trim();
    } else if (args[i] === '-d') body = args[++i];
    else if (args[i].startsWith('-') || url) throw new Error(`curl: unsupported argument ${args[i]}`);
    else url = args[i];
  }
  if (!url || body === undefined) throw new Error(`curl: a URL and -d are needed: ${args.join(' ')}`);
  const res = await fetch(url, { method: 'POST', headers, body });
  return { headers, body, status: res.status, responseHeaders: res.headers, answer: await res.text() };
}

/** `sed -E 's/PATTERN/REPLACEMENT/'` on each line. */
function sed(args: string[], input: string): string {
  const m = args.length === 2 && args[0] === '-E' ? /^s\/((?:[^\\/]|\\.)*)\/((?:[^\\/]|\\.)*)\/$/.exec(args[1]) : null;
  if (!m) throw new Error(`sed: only -E 's/…/…/' is followed: ${args.join(' ')}`);
  const pattern = new RegExp(m[1]);
  const replacement = m[2].replace(/\$/g, '$$$$').replace(/\\(\d)/g, '$$$1');
  return input.split('\n').map((line) => line.replace(pattern, replacement)).join('\n');
}

async function pipeline(command: string, vars: Record<string, string>, calls: CurlCall[]): Promise<string> {
  const words = shellWords(command, vars);
  const stages: string[][] = [[]];
  for (const w of words) if (w === '|') stages.push([]); else stages[stages.length - 1].push(w);
  let output = '';
  for (const [name, ...args] of stages) {
    if (name === 'curl') {
      const call = await curl(args);
      calls.push(call);
      output = call.answer;
    } else if (name === 'sed') output = sed(args, output);
    else if (name === 'echo') output = `${args.join(' ')}\n`;
    else throw new Error(`unsupported command: ${name}`);
  }
  return output;
}

/** Runs a script's commands in order, assigning into `vars`; answers the curl calls it made. */
export async function runShell(script: string, vars: Record<string, string>): Promise<CurlCall[]> {
  const calls: CurlCall[] = [];
  for (const command of shellCommands(script)) {
    const capture = /^(\w+)=\$\(([\s\S]*)\)$/.exec(command);
    if (capture) vars[capture[1]] = (await pipeline(capture[2], vars, calls)).replace(/\n+$/, '');
    else await pipeline(command, vars, calls);
  }
  return calls;
}
