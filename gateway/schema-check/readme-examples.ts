/** The fenced blocks of a language in a Markdown text, those inside list items too, without their indentation. */
export function fencedBlocks(markdown: string, language: string): string[] {
  return [...markdown.matchAll(new RegExp(`^( *)\`\`\`${language}\\n([\\s\\S]*?)\\n\\1\`\`\`$`, 'gm'))]
    .map((m) => m[2].split('\n').map((line) => line.slice(m[1].length)).join('\n'));
}

/** The README's walkthrough: the ```sh blocks that send requests with curl, in order. */
export const curlSteps = (markdown: string) => fencedBlocks(markdown, 'sh').filter((block) => /^\s*(\w+=\$\()?curl /m.test(block));

/** The GraphQL documents a curl step posts: each `"query":"…"` of its JSON bodies, as JSON reads it. */
export const stepQueries = (step: string): string[] => [...step.matchAll(/"query"\s*:\s*("(?:[^"\\]|\\.)*")/g)].map((m) => JSON.parse(m[1]));
